package io.longlink.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.testing.LogCapture;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisClusterServer;
import io.longlink.testsupport.RedisServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The start-time check of the Redis settings the guarantees need, against real redis-server processes. */
@ExtendWith(Infra.class)
class RedisDurabilityIntegrationTest {
    @RegisterExtension
    final LogCapture logged = new LogCapture(RedisDurability.class);

    private static RedisStore open(String uris, boolean cluster, boolean requireDurable) throws ConfigException {
        return RedisStore.open(Config.load(null, Map.of(RedisSettings.URIS.envName(), uris,
                RedisSettings.CLUSTER.envName(), String.valueOf(cluster),
                RedisSettings.REQUIRE_DURABLE.envName(), String.valueOf(requireDurable)), RedisSettings.all()));
    }

    @Test
    void open_whenAofFsyncedEverySecondAndNoEviction_thenNoWarning() throws Exception {
        try (RedisServer redis = RedisServer.start("--appendonly", "yes");
             RedisStore store = open(redis.uri(), false, true)) {
            assertThat(store.isCluster()).isFalse();
            assertThat(logged.events()).isEmpty();
        }
    }

    @Test
    void open_whenSettingsUnsafe_thenOneWarningPerSettingNamingNodeValueAndExpectation() throws Exception {
        try (RedisServer redis = RedisServer.start("--appendfsync", "no", "--maxmemory-policy", "allkeys-lru");
             RedisStore store = open(redis.uri(), false, false)) {
            assertThat(logged.events()).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage).satisfiesExactly(
                            m -> assertThat(m).contains("node=127.0.0.1:" + redis.port(), "setting=appendonly value=no",
                                    "expected=\"yes\""),
                            m -> assertThat(m).contains("setting=appendfsync value=no",
                                    "expected=\"everysec or always\""),
                            m -> assertThat(m).contains("setting=maxmemory-policy value=allkeys-lru",
                                    "expected=\"noeviction\""));
        }
    }

    @Test
    void open_whenSettingsUnsafeAndDurabilityRequired_thenConfigErrorNamingTheKeyAndEachSetting() throws Exception {
        try (RedisServer redis = RedisServer.start("--appendonly", "yes", "--maxmemory-policy", "volatile-lru")) {
            assertThatThrownBy(() -> open(redis.uri(), false, true)).isInstanceOfSatisfying(ConfigException.class,
                    e -> assertThat(e.problems()).containsExactly("redis.require-durable: true, but Redis 127.0.0.1:"
                            + redis.port() + " has maxmemory-policy 'volatile-lru' (expected: noeviction)"));
        }
    }

    @Test
    void open_whenRedisRefusesConfig_thenLoggedThatItCouldNotCheckAndStartsEvenWhenRequired() throws Exception {
        try (RedisServer managed = RedisServer.start("--rename-command", "CONFIG", "hidden-config");
             RedisStore store = open(managed.uri(), false, true)) {
            assertThat(logged.events()).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).startsWith("could not check the Redis durability settings");
            });
        }
    }

    @Test
    void open_whenCluster_thenEveryNodeChecked(RedisClusterServer cluster) throws Exception {
        try (RedisStore store = open(String.join(",", cluster.uris()), true, false)) {
            assertThat(logged.events()).extracting(ILoggingEvent::getFormattedMessage)
                    .hasSize(3).allMatch(m -> m.contains("setting=appendonly value=no"))
                    .anyMatch(m -> m.contains("node=127.0.0.1:" + cluster.nodes().get(0).port()))
                    .anyMatch(m -> m.contains("node=127.0.0.1:" + cluster.nodes().get(2).port()));
        }
    }
}
