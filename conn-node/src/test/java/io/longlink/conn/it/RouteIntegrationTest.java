package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Route TTL renewal by heartbeats (batched), re-creation after loss, and no stale delete. */
@ExtendWith(Infra.class)
class RouteIntegrationTest {
    private static final long TTL_MS = 2_000;
    @AutoClose
    private static ConnNode node;
    @AutoClose
    private static ConnNode other;
    @AutoClose
    private static TestRedis redis;
    private static TestRedis.App app;

    @BeforeAll
    static void start(RedisServer redisServer, TestingServer zk) throws Exception {
        redis = new TestRedis(redisServer.uri(), false);
        TestNodes shortRoutes = TestNodes.on(redisServer.uri(), zk, "route-it")
                .set(ConnSettings.HEARTBEAT_MIN_S, 1)
                .set(ConnSettings.HEARTBEAT_MAX_S, 1)
                .set(ConnSettings.HEARTBEAT_DEFAULT_S, 1)
                .set(ConnSettings.IDLE_FACTOR, 3)
                .set(ConnSettings.ROUTE_TTL_MS, TTL_MS);
        node = shortRoutes.start();
        other = TestNodes.on(redisServer.uri(), zk, "route-it").start();
        app = redis.newApp();
    }


    private static double renewals(ConnNode n) {
        Double v = n.metrics().getSampleValue("longlink_conn_route_ops_total", new String[] {"op"},
                new String[] {"renew"});
        return v == null ? 0 : v;
    }

    /** Heartbeats for {@code duration}, one PING per ~300 ms, checking the route all along. */
    private static void heartbeat(TestDevice d, Duration duration, String expectedRoute) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            d.ping();
            assertThat(d.read(Duration.ofSeconds(2)).frameType()).isEqualTo(FrameType.PONG);
            if (expectedRoute != null) {
                assertThat(redis.route(app.key(), "hb")).isEqualTo(expectedRoute);
            }
            assertThat(d.staysOpenAndSilent(Duration.ofMillis(300))).isTrue();
        }
    }

    @Test
    void route_whenDeviceHeartbeatsLongerThanTtl_thenRenewedInBatchesAndNeverExpires() throws Exception {
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            ConnAck ack = d.login(TestDevice.connectFrame(app.key(), "hb", app.token("hb"), 1));
            assertThat(ack.getCode()).isEqualTo(ErrorCode.OK);
            String value = node.nodeId() + "|" + ack.getSessionId();
            double before = renewals(node);
            heartbeat(d, Duration.ofMillis(2L * TTL_MS + 500), value);
            assertThat(renewals(node)).isGreaterThan(before);
            assertThat(redis.routeTtlMs(app.key(), "hb")).isPositive();

            // the route vanishes (e.g. a Redis failover lost it): the next renewal writes it back
            TestRedis.await(redis.commands().del(RedisKeys.route(app.key(), "hb")));
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (redis.route(app.key(), "hb") == null && System.nanoTime() < end) {
                heartbeat(d, Duration.ofMillis(300), null);
            }
            assertThat(redis.route(app.key(), "hb")).isEqualTo(value);
        }
    }

    @Test
    void close_whenOldConnectionClosesAfterReloginElsewhere_thenNewRouteKept() throws Exception {
        try (TestDevice old = TestDevice.connect(node.deviceAddress())) {
            assertThat(old.login(TestDevice.connectFrame(app.key(), "mover", app.token("mover"), 1)).getCode())
                    .isEqualTo(ErrorCode.OK);
            Double deletesBefore = node.metrics().getSampleValue("longlink_conn_route_ops_total",
                    new String[] {"op"}, new String[] {"delete"});
            try (TestDevice fresh = TestDevice.connect(other.deviceAddress())) {
                ConnAck ack = fresh.login(TestDevice.connectFrame(app.key(), "mover", app.token("mover"), 60));
                String newRoute = other.nodeId() + "|" + ack.getSessionId();
                assertThat(old.expectClosedWithError(Duration.ofSeconds(5)).getCode()).isEqualTo(ErrorCode.KICKED);
                // the old connection's compare-and-delete ran ...
                await().atMost(Duration.ofSeconds(5)).until(() -> node.metrics().getSampleValue(
                        "longlink_conn_route_ops_total", new String[] {"op"}, new String[] {"delete"})
                        > (deletesBefore == null ? 0 : deletesBefore));
                // ... and left the new route alone
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                        .until(() -> newRoute.equals(redis.route(app.key(), "mover")));
            }
        }
    }

    @Test
    void close_whenRouteStillOurs_thenDeleted() throws Exception {
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(d.login(TestDevice.connectFrame(app.key(), "leaver", app.token("leaver"), 1)).getCode())
                    .isEqualTo(ErrorCode.OK);
            assertThat(redis.route(app.key(), "leaver")).isNotNull();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.route(app.key(), "leaver") == null);
    }
}
