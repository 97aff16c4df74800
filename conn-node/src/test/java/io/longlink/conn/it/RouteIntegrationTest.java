package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.testsupport.Infra;
import io.longlink.proto.device.FrameType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Route TTL renewal by heartbeats (batched), re-creation after loss, and no stale delete. */
@ExtendWith(Infra.class)
class RouteIntegrationTest {
    private static final long TTL_MS = 2_000;

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("route-it")
            .withHeartbeat(1, 1, 1)
            .with(ConnSettings.IDLE_FACTOR, 3)
            .with(ConnSettings.ROUTE_TTL_MS, TTL_MS)
            .withPeer();

    private static double renewals(ConnNode n) {
        Double v = n.metrics().getSampleValue("longlink_conn_route_ops_total", new String[] {"op"},
                new String[] {"renew"});
        return v == null ? 0 : v;
    }

    /** Heartbeats for {@code duration}, one PING per ~300 ms, checking the route all along. */
    private static void heartbeat(TestDevice d, Duration duration, String expectedRoute) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            d.pingPong(Duration.ofSeconds(2));
            if (expectedRoute != null) {
                assertThat(conn.route("hb")).isEqualTo(expectedRoute);
            }
            assertThat(d.staysOpenAndSilent(Duration.ofMillis(300))).isTrue();
        }
    }

    @Test
    void route_whenDeviceHeartbeatsLongerThanTtl_thenRenewedInBatchesAndNeverExpires() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.loginOk(conn.app().connectFrame("hb", 1));
            String value = conn.node().nodeId() + "|" + ack.getSessionId();
            double before = renewals(conn.node());
            heartbeat(d, Duration.ofMillis(2L * TTL_MS + 500), value);
            assertThat(renewals(conn.node())).isGreaterThan(before);
            assertThat(conn.redis().routeTtlMs(conn.app().key(), "hb")).isPositive();

            // the route vanishes (e.g. a Redis failover lost it): the next renewal writes it back
            TestRedis.await(conn.redis().commands().del(RedisKeys.route(conn.app().key(), "hb")));
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (conn.route("hb") == null && System.nanoTime() < end) {
                heartbeat(d, Duration.ofMillis(300), null);
            }
            assertThat(conn.route("hb")).isEqualTo(value);
        }
    }

    /**
     * PINGs about every 300 ms and collects what the node writes besides PONG, until {@code done}
     * holds for it or the node closes the connection.
     */
    private static List<TestDevice.Frame> heartbeatUntil(TestDevice d, Predicate<List<TestDevice.Frame>> done) {
        List<TestDevice.Frame> frames = new ArrayList<>();
        boolean[] closed = {false};
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(300)).until(() -> {
            try {
                d.ping();
                for (TestDevice.Frame f = d.read(Duration.ofSeconds(2)); f.frameType() != FrameType.PONG;
                     f = d.read(Duration.ofSeconds(2))) {
                    frames.add(f);
                }
            } catch (IOException gone) {
                closed[0] = true;
            }
            return closed[0] || done.test(frames);
        });
        return frames;
    }

    @Test
    void renew_whenTheRouteVanishedAndACopyWasStoredMeanwhile_thenWrittenOnTheSameConnection() throws Exception {
        String app = conn.app().key();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.loginOk(conn.app().connectFrame("lost-route", 1));
            d.pingPong();
            TestRedis.await(conn.redis().commands().del(RedisKeys.route(app, "lost-route")));
            long id = 9_100_001L; // with no route the routers only store it
            conn.redis().storeInInbox(app, "lost-route", TestRouter.push(id, "stored"), 60_000);

            List<TestDevice.Frame> frames = heartbeatUntil(d, f -> !f.isEmpty());
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0).push().getMessageId()).isEqualTo(id);
            assertThat(conn.route("lost-route")).isEqualTo(conn.node().nodeId() + "|" + ack.getSessionId());
        }
    }

    @Test
    void renew_whenTheRouteNamesAnotherConnection_thenThisOneClosedKicked() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginOk(conn.app().connectFrame("usurped", 1));
            d.pingPong();
            String other = conn.peer().nodeId() + "|00000000000000ff";
            conn.redis().setRoute(conn.app().key(), "usurped", other, 60_000);

            List<TestDevice.Frame> frames = heartbeatUntil(d,
                    f -> !f.isEmpty() && f.getLast().frameType() == FrameType.ERROR);
            assertThat(frames).extracting(TestDevice.Frame::frameType).containsExactly(FrameType.KICK, FrameType.ERROR);
            assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
            assertThat(conn.route("usurped")).isEqualTo(other);
        }
    }

    @Test
    void close_whenOldConnectionClosesAfterReloginElsewhere_thenNewRouteKept() throws Exception {
        try (TestDevice old = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(old.login(conn.app().connectFrame("mover", 1)).getCode())
                    .isEqualTo(ErrorCode.OK);
            Double deletesBefore = conn.node().metrics().getSampleValue("longlink_conn_route_ops_total",
                    new String[] {"op"}, new String[] {"delete"});
            try (TestDevice fresh = TestDevice.connect(conn.peer().deviceAddress())) {
                ConnAck ack = fresh.login(conn.app().connectFrame("mover", 60));
                String newRoute = conn.peer().nodeId() + "|" + ack.getSessionId();
                assertThat(old.expectClosedWithError(Duration.ofSeconds(5)).getCode()).isEqualTo(ErrorCode.KICKED);
                // the old connection's compare-and-delete ran ...
                await().atMost(Duration.ofSeconds(5)).until(() -> conn.node().metrics().getSampleValue(
                        "longlink_conn_route_ops_total", new String[] {"op"}, new String[] {"delete"})
                        > (deletesBefore == null ? 0 : deletesBefore));
                // ... and left the new route alone
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                        .until(() -> newRoute.equals(conn.route("mover")));
            }
        }
    }

    @Test
    void close_whenRouteStillOurs_thenDeleted() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(d.login(conn.app().connectFrame("leaver", 1)).getCode())
                    .isEqualTo(ErrorCode.OK);
            assertThat(conn.route("leaver")).isNotNull();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.route("leaver") == null);
    }
}
