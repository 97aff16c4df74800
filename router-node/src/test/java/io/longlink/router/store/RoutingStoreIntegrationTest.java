package io.longlink.router.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.router.Commands;
import io.longlink.router.store.BatchStore.InboxAdd;
import io.longlink.router.store.BatchStore.LogAppend;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The router's scripts against a real redis-server: positions, collapse, trims and drop counts. */
@ExtendWith(Infra.class)
class RoutingStoreIntegrationTest {
    private static final byte[] MAX_3 = RoutingStore.ascii(3);
    private static final byte[] TTL = RoutingStore.ascii(60_000);
    private static final byte[] NONE = new byte[0];
    private final String app = "app-" + UUID.randomUUID();
    private RedisStore redis;
    private RoutingStore store;

    @BeforeEach
    void setUp(RedisServer server) throws Exception {
        redis = RedisStore.open(server.uri(), false, 5_000);
        store = new RoutingStore(redis);
        store.loadScripts(5_000);
    }

    @AfterEach
    void tearDown() {
        redis.close();
    }

    private static byte[] member(long id) {
        return RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private List<String> inboxWithScores(String device) throws Exception {
        return redis.async().zrangeWithScores(RedisKeys.inbox(app, device), 0, -1).get(5, TimeUnit.SECONDS).stream()
                .map(v -> new String(v.getValue(), StandardCharsets.US_ASCII) + "@" + (long) v.getScore()).toList();
    }

    @Test
    void addToInbox_whenTheDeviceAckedTheCopyBeforeItWasStored_thenNotStored() throws Exception {
        redis.async().set(RedisKeys.ackedBeforeStored(app, "d1", RedisKeys.inboxMember(900)),
                "1".getBytes(StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);

        assertThat(get(store.addToInbox(app, "d1", member(900), MAX_3, TTL, NONE)))
                .isEqualTo(new InboxAdd(false, 0, List.of()));
        get(store.addToInbox(app, "d1", member(100), MAX_3, TTL, NONE));
        assertThat(inboxWithScores("d1")).containsExactly(RedisKeys.inboxMember(100) + "@1");
    }

    @Test
    void addToInbox_whenAddedAgain_thenUnchangedAndTheNextOneTakesTheNextPosition() throws Exception {
        assertThat(get(store.addToInbox(app, "d1", member(900), MAX_3, TTL, NONE)))
                .isEqualTo(new InboxAdd(true, 0, List.of()));
        assertThat(get(store.addToInbox(app, "d1", member(900), MAX_3, TTL, NONE)))
                .isEqualTo(new InboxAdd(false, 0, List.of()));
        get(store.addToInbox(app, "d1", member(100), MAX_3, TTL, NONE));

        assertThat(inboxWithScores("d1")).containsExactly(RedisKeys.inboxMember(900) + "@1",
                RedisKeys.inboxMember(100) + "@2");
        assertThat(redis.async().pttl(RedisKeys.inboxSeq(app, "d1")).get()).isBetween(1L, 60_000L);
        assertThat(redis.async().pttl(RedisKeys.inbox(app, "d1")).get()).isBetween(1L, 60_000L);
    }

    @Test
    void addToInbox_whenOverTheBound_thenTheLowestPositionsTrimmedAndReturned() throws Exception {
        for (long id : new long[] {50, 40, 30}) {
            get(store.addToInbox(app, "d1", member(id), MAX_3, TTL, NONE));
        }

        InboxAdd fourth = get(store.addToInbox(app, "d1", member(20), MAX_3, TTL, NONE));
        InboxAdd fifth = get(store.addToInbox(app, "d1", member(60), RoutingStore.ascii(2), TTL, NONE));

        assertThat(fourth.trimmed()).containsExactly(50L);
        assertThat(fifth.trimmed()).containsExactly(40L, 30L);
        assertThat(inboxWithScores("d1")).containsExactly(RedisKeys.inboxMember(20) + "@4",
                RedisKeys.inboxMember(60) + "@5");
    }

    @Test
    void addToInbox_whenCollapseKeyNamesAnother_thenTheLaterOneReplacesItWhateverTheIds() throws Exception {
        byte[] key = "score".getBytes(StandardCharsets.UTF_8);
        get(store.addToInbox(app, "d1", member(500), MAX_3, TTL, key));
        get(store.addToInbox(app, "d1", member(300), MAX_3, TTL, NONE));

        InboxAdd later = get(store.addToInbox(app, "d1", member(200), MAX_3, TTL, key));

        assertThat(later).isEqualTo(new InboxAdd(true, 500, List.of()));
        assertThat(inboxWithScores("d1")).containsExactly(RedisKeys.inboxMember(300) + "@2",
                RedisKeys.inboxMember(200) + "@3");
        assertThat(redis.async().hget(RedisKeys.collapse(app, "d1"), "score").get())
                .isEqualTo(member(200));
        assertThat(redis.async().pttl(RedisKeys.collapse(app, "d1")).get()).isBetween(1L, 60_000L);
    }

    @Test
    void appendBroadcast_whenAppendedAgainOrOverTheBound_thenSamePositionOrTheEarliestTrimmedWithFilters()
            throws Exception {
        byte[] max = RoutingStore.ascii(2);
        assertThat(get(store.appendBroadcast(app, member(70), NONE, max, TTL))).isEqualTo(new LogAppend(1, List.of()));
        assertThat(get(store.appendBroadcast(app, member(70), NONE, max, TTL))).isEqualTo(new LogAppend(1, List.of()));
        get(store.appendBroadcast(app, member(10), "f".getBytes(StandardCharsets.UTF_8), max, TTL));

        LogAppend third = get(store.appendBroadcast(app, member(5), NONE, max, TTL));

        assertThat(third).isEqualTo(new LogAppend(3, List.of(70L)));
        assertThat(redis.async().hkeys(RedisKeys.broadcastFilter(app)).get())
                .containsExactlyInAnyOrder(RedisKeys.inboxMember(10), RedisKeys.inboxMember(5));
        assertThat(redis.async().pttl(RedisKeys.broadcastSeq(app)).get()).as("no TTL").isEqualTo(-1L);
    }

    @Test
    void countDrops_whenBodyOrStatusMissing_thenCountedOnlyWhereTheBodyLivesAndNoStatusRecreated()
            throws Exception {
        long live = Commands.nextId();
        long revoked = Commands.nextId();
        long noStatus = Commands.nextId();
        redis.async().set(RedisKeys.message(live), new byte[] {1}).get();
        redis.async().hset(RedisKeys.stat(live), "app", app.getBytes(StandardCharsets.UTF_8)).get();
        redis.async().set(RedisKeys.message(revoked), new byte[0]).get();
        redis.async().hset(RedisKeys.stat(revoked), "app", app.getBytes(StandardCharsets.UTF_8)).get();
        redis.async().set(RedisKeys.message(noStatus), new byte[] {1}).get();

        assertThat(get(store.countInboxDrop(live))).isTrue();
        assertThat(get(store.countInboxDrop(live))).isTrue();
        assertThat(get(store.countLogTrim(live, 7))).isTrue();
        assertThat(get(store.countLogTrim(live, 8))).isTrue();
        assertThat(get(store.countInboxDrop(revoked))).isFalse();
        assertThat(get(store.countInboxDrop(Commands.nextId()))).as("expired").isFalse();
        assertThat(get(store.countInboxDrop(noStatus))).isTrue();

        Map<String, byte[]> stat = redis.async().hgetall(RedisKeys.stat(live)).get();
        assertThat(new String(stat.get("dropped"), StandardCharsets.US_ASCII)).isEqualTo("2");
        assertThat(new String(stat.get("log_trimmed_ms"), StandardCharsets.US_ASCII)).isEqualTo("7");
        assertThat(redis.async().hexists(RedisKeys.stat(revoked), "dropped").get()).isFalse();
        assertThat(redis.async().exists(RedisKeys.stat(noStatus)).get()).isZero();
    }
}
