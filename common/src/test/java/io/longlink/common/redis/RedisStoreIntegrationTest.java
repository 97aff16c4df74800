package io.longlink.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisClusterServer;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
