package io.longlink.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisClusterServer;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class RedisStoreIntegrationTest {

    @Test
    void open_standalone_thenCommandsWork(RedisServer redis) throws Exception {
        try (RedisStore store = RedisStore.open(redis.uri(), false, 2_000)) {
            store.async().set("k:store", "v".getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
            assertThat(new String(store.async().get("k:store").get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                    .isEqualTo("v");
            assertThat(store.isCluster()).isFalse();
        }
    }

    @Test
    void open_cluster_thenKeysOfEverySlotWork(RedisClusterServer cluster) throws Exception {
        try (RedisStore store = RedisStore.open(String.join(",", cluster.uris()), true, 5_000)) {
            for (int i = 0; i < 50; i++) {
                store.async().set(RedisKeys.route("app", "dev-" + i), new byte[] {1}).get(5, TimeUnit.SECONDS);
            }
            assertThat(store.isCluster()).isTrue();
        }
    }

    /**
     * A hung Redis with 300,000 commands pending (written into the socket and Lettuce's
     * buffers), then killed and started again: every pending command fails, and the same store is
     * usable again within seconds. The client's command stack must not take quadratic time to drop
     * the failed writes on its event loop (it would hold up the reconnection): with Lettuce's plain
     * array stack ({@code useHashIndexQueue(false)}: +20% unicasts per second in ops/bench mqtt-fanout) this took
     * 27.5 s here (2.5 s for 100,000), against 2.4 s with the indexed one Lettuce uses by default.
     */
    @Test
    void commands_whenRedisHangsWithManyPendingThenIsKilledAndRestarted_thenAllFailAndTheStoreRecoversQuickly()
            throws Exception {
        RedisServer own = RedisServer.start();
        try (RedisStore store = RedisStore.open(own.uri(), false, 2_000)) {
            own.pause();
            int n = 300_000;
            byte[] value = new byte[64];
            List<CompletableFuture<String>> pending = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                pending.add(store.async().set("k:hung:" + i, value).toCompletableFuture());
            }
            long killed = System.nanoTime();
            own.kill();
            own.restart();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                    .until(() -> "PONG".equals(store.async().ping().get(1, TimeUnit.SECONDS)));
            long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertThat(pending).allSatisfy(f -> assertThat(f).isDone());
            assertThat(recoveredMs).isLessThan(10_000);
        } finally {
            own.close();
        }
    }

    @Test
    void open_whenRedisUnreachable_thenFailsFastNamingTheAddress() {
        String dead = "redis://127.0.0.1:" + FreePorts.next();
        long started = System.nanoTime();
        assertThatThrownBy(() -> RedisStore.open(dead, false, 1_000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Redis at " + dead + " is unreachable (redis.uris)");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void open_whenSeveralUrisWithoutClusterMode_thenConfigError(RedisServer redis) {
        assertThatThrownBy(() -> RedisStore.open(redis.uri() + "," + redis.uri(), false, 1_000))
                .hasMessageContaining("redis.uris").hasMessageContaining("expected: one URI unless redis.cluster=true");
    }
}
