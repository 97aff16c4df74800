package io.longlink.api.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.redis.RouterLagReport;
import io.longlink.testsupport.RedisServer;
import io.prometheus.client.CollectorRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The admission's reads of the routers' reports against a real Redis, and what it does when Redis stops answering. */
class FanOutAdmissionRedisIntegrationTest {
    private static final String TOPIC = "admission-it";

    /** An admission with {@code maxLagMs} reading the reports every 100 ms. */
    private static FanOutAdmission admission(RedisStore redis, long maxLagMs) {
        return new FanOutAdmission(redis, TOPIC, maxLagMs, System::currentTimeMillis, 100, new CollectorRegistry());
    }

    /** A report of router-1, {@code behindMs} behind now, as a router writes it. */
    private static void report(RedisStore redis, long behindMs) throws Exception {
        redis.async().hset(RedisKeys.routerLag(TOPIC), "router-1",
                new RouterLagReport(behindMs, System.currentTimeMillis()).encode()).get(5, TimeUnit.SECONDS);
    }

    @Test
    void check_whenRedisStopsAnswering_thenTheLastLagHoldsForTheStaleTimeThenFanOutsAreAdmittedAgain()
            throws Exception {
        RedisServer server = RedisServer.start();
        try (RedisStore redis = RedisStore.open(server.uri(), false, 1_000);
             FanOutAdmission admission = admission(redis, 1_000)) {
            report(redis, 5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> admission.lagMs() == 5_000);
            assertThatThrownBy(admission::check).isInstanceOf(Refusal.class)
                    .hasMessageContaining("the routers are 5000 ms behind");

            server.pause(); // reads now time out: the node keeps what it read last, for a while
            long paused = System.nanoTime();
            assertThatThrownBy(admission::check).isInstanceOf(Refusal.class);
            await().atMost(Duration.ofSeconds(15)).until(() -> admission.lagMs() == 0);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - paused))
                    .isGreaterThanOrEqualTo(FanOutAdmission.STALE_MS - 500);
            admission.check(); // fails open: a brake, not a correctness check
        } finally {
            server.kill();
            server.close();
        }
    }

    @Test
    void construct_whenTheBoundIsZero_thenNothingIsReadAndEverythingAdmitted() throws Exception {
        RedisServer server = RedisServer.start();
        try (RedisStore redis = RedisStore.open(server.uri(), false, 1_000);
             FanOutAdmission admission = admission(redis, 0)) {
            report(redis, 60_000);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> admission.lagMs() == 0);
            admission.check();
        } finally {
            server.close();
        }
    }
}
