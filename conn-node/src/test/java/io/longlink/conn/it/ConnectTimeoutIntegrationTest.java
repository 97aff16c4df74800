package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CONNECT deadline and idle eviction, both driven by the per-loop timing wheel. */
@ExtendWith(Infra.class)
class ConnectTimeoutIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("timeouts-it")
            .with(ConnSettings.CONNECT_TIMEOUT_MS, 300)
            .withHeartbeat(1, 30, 60)
            .with(ConnSettings.IDLE_FACTOR, 2);

    @Test
    void connect_whenNoConnectWithinDeadline_thenConnectTimeout() throws Exception {
        double before = conn.metric("longlink_conn_connect_timeouts_total");
        long start = System.nanoTime();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(d.expectClosedWithError(Duration.ofSeconds(5)).getCode()).isEqualTo(ErrorCode.CONNECT_TIMEOUT);
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).isBetween(250L, 3_000L);
        assertThat(conn.metric("longlink_conn_connect_timeouts_total")).isEqualTo(before + 1);
    }

    @Test
    void idle_whenNoFrameWithinHeartbeatTimesFactor_thenIdleTimeoutAndRouteRemoved() throws Exception {
        double before = conn.metric("longlink_conn_idle_evictions_total");
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.login(conn.app().connectFrame("sleepy", 1));
            assertThat(ack.getHeartbeatSeconds()).isEqualTo(1);
            long start = System.nanoTime();
            assertThat(d.expectClosedWithError(Duration.ofSeconds(6)).getCode()).isEqualTo(ErrorCode.IDLE_TIMEOUT);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs).isBetween(1_800L, 4_000L); // 1 s heartbeat x factor 2
        }
        assertThat(conn.metric("longlink_conn_idle_evictions_total")).isEqualTo(before + 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.route("sleepy") == null);
    }

    @Test
    void idle_whenDeviceHeartbeats_thenKeptPastTheIdleWindow() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(d.login(conn.app().connectFrame("awake", 1)).getCode())
                    .isEqualTo(ErrorCode.OK);
            long end = System.nanoTime() + Duration.ofMillis(4_500).toNanos(); // more than twice the idle window
            while (System.nanoTime() < end) {
                d.pingPong(Duration.ofSeconds(2));
                // the device's own pacing: wait about half a heartbeat for a frame that never comes
                assertThat(d.staysOpenAndSilent(Duration.ofMillis(500))).isTrue();
            }
            assertThat(conn.route("awake")).startsWith(conn.node().nodeId() + "|");
        }
    }

    @Test
    void idle_whenDeviceLengthensItsIntervalStepByStep_thenIdleWindowFollowsAndKeepsIt() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(d.login(conn.app().connectFrame("adaptive", 1))
                    .getHeartbeatSeconds()).isEqualTo(1); // idle window 2 s
            // 1.5 s gap: inside the 2 s window; the node learns a 2 s interval (window 4 s)
            assertThat(d.staysOpenAndSilent(Duration.ofMillis(1_500))).isTrue();
            d.pingPong(Duration.ofSeconds(2));
            // 3 s gap: beyond the granted window, inside the learned one
            assertThat(d.staysOpenAndSilent(Duration.ofMillis(3_000))).isTrue();
            d.pingPong(Duration.ofSeconds(2));
        }
    }
}
