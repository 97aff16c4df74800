package io.longlink.api.push;

import static io.longlink.api.StoreTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.api.StoreTesting;
import io.longlink.common.redis.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MessageStoreIntegrationTest {
    private static final long RETENTION_MS = 120_000;

    @RegisterExtension
    final StoreTesting redis = new StoreTesting();
    private final String app = "app-" + UUID.randomUUID();
    private MessageStore messages;

    @BeforeEach
    void open() {
        messages = new MessageStore(redis.connect(), redis.connect(), RETENTION_MS);
    }

    private static long newId() {
        return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    }

    /** Writes accepted statuses as a call does, and waits for every write. */
    private void accepted(boolean batch, int ttlSeconds, long... ids) throws Exception {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        StatusWrites out = messages.statusWrites(batch);
        out.begin();
        try {
            for (long id : ids) {
                out.accepted(id, app.getBytes(StandardCharsets.UTF_8), 1_000L, "2000".getBytes(StandardCharsets.UTF_8),
                        ttlSeconds, w -> writes.add(w.toCompletableFuture()));
            }
        } finally {
            out.end();
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(writes).hasSize(2 * ids.length);
    }

    @Test
    void statusWrites_whenBatch_thenEachStatusHasOwnerTimesAndTtlPlusRetention() throws Exception {
        long a = newId();
        long b = newId();

        accepted(true, 30, a, b);

        for (long id : new long[] {a, b}) {
            String stat = RedisKeys.stat(id);
            assertThat(redis.command("HGET " + stat + " app")).isEqualTo(app);
            assertThat(redis.command("HGET " + stat + " created_ms")).isEqualTo("1000");
            assertThat(redis.command("HGET " + stat + " accepted_ms")).isEqualTo("2000");
            assertThat(Long.parseLong(redis.command("PTTL " + stat).substring(1)))
                    .isBetween(RETENTION_MS, 30_000 + RETENTION_MS);
        }
        assertThat(await(messages.owner(a))).isEqualTo(app);
    }

    @Test
    void status_whenCountersWritten_thenReadWithItsOwner() throws Exception {
        long id = newId();
        accepted(false, 60, id);
        redis.command("HSET " + RedisKeys.stat(id) + " targeted 3 online 2 acked 1 routed_ms 2500");

        MessageStore.StoredStatus s = await(messages.status(id));

        assertThat(s.owner()).isEqualTo(app);
        assertThat(s.status().getMessageId()).isEqualTo(id);
        assertThat(s.status().getTargeted()).isEqualTo(3);
        assertThat(s.status().getOnline()).isEqualTo(2);
        assertThat(s.status().getAcked()).isEqualTo(1);
        assertThat(s.status().getStored()).isZero();
        assertThat(s.status().getCreatedAtMs()).isEqualTo(1_000);
        assertThat(s.status().getAcceptedAtMs()).isEqualTo(2_000);
        assertThat(s.status().getRoutedAtMs()).isEqualTo(2_500);
    }

    @Test
    void status_whenNoneRetained_thenNoOwner() throws Exception {
        long id = newId();

        assertThat(await(messages.status(id)).owner()).isNull();
        assertThat(await(messages.owner(id))).isNull();
    }

    @Test
    void revoke_whenBodyStored_thenTombstoneKeepsItsTtlAndRevokedAtIsStampedOnce() throws Exception {
        long id = newId();
        accepted(false, 60, id);
        redis.command("SET " + RedisKeys.message(id) + " body PX 100000");

        assertThat(await(messages.revoke(id, 5_000))).isTrue();
        assertThat(await(messages.revoke(id, 6_000))).isFalse();

        assertThat(redis.command("GET " + RedisKeys.message(id))).isEmpty();
        assertThat(Long.parseLong(redis.command("PTTL " + RedisKeys.message(id)).substring(1))).isBetween(1L, 100_000L);
        assertThat(await(messages.status(id)).status().getRevokedAtMs()).isEqualTo(5_000);
    }

    @Test
    void revoke_whenNoBody_thenTombstoneLivesAsLongAsTheStatus() throws Exception {
        long id = newId();
        accepted(false, 10, id);
        long statusTtl = Long.parseLong(redis.command("PTTL " + RedisKeys.stat(id)).substring(1));

        assertThat(await(messages.revoke(id, 5_000))).isFalse();

        assertThat(redis.command("GET " + RedisKeys.message(id))).isEmpty();
        assertThat(Long.parseLong(redis.command("PTTL " + RedisKeys.message(id)).substring(1)))
                .isBetween(1L, statusTtl);
    }
}
