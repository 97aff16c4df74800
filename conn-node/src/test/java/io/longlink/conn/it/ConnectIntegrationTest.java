package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.token.DeviceToken;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.testsupport.Infra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(Infra.class)
class ConnectIntegrationTest {
    private static final Duration CLOSE = Duration.ofSeconds(5);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("connect-it")
            .withHeartbeat(10, 60, 120)
            .with(ConnSettings.MAX_FRAME_BYTES, 4096);

    private static TestDevice device() throws Exception {
        return TestDevice.connect(conn.node().deviceAddress());
    }

    private static double failures(ErrorCode code) {
        return conn.metric("longlink_conn_connect_failures_total", "code", code.name());
    }

    /** A refused CONNECT: CONNACK with the code, then ERROR with the same code, then the close. */
    private static void assertRefused(TestDevice d, Connect connect, ErrorCode code) throws Exception {
        double before = failures(code);
        ConnAck ack = d.login(connect);
        assertThat(ack.getCode()).isEqualTo(code);
        assertThat(ack.getReason()).isNotBlank();
        assertThat(ack.getSessionId()).isEmpty();
        Error e = d.expectClosedWithError(CLOSE);
        assertThat(e.getCode()).isEqualTo(code);
        assertThat(e.getReason()).isEqualTo(ack.getReason());
        assertThat(failures(code)).isEqualTo(before + 1);
    }

    @Test
    void connect_whenTokenValid_thenConnAckAndRouteNamesThisConnection() throws Exception {
        try (TestDevice d = device()) {
            ConnAck ack = d.loginOk(conn.app().connectFrame("phone-1", 30));
            assertThat(ack.getSessionId()).hasSize(16);
            assertThat(ack.getNodeId()).isEqualTo(conn.node().nodeId());
            assertThat(ack.getHeartbeatSeconds()).isEqualTo(30);
            assertThat(ack.getHeartbeatMinSeconds()).isEqualTo(10);
            assertThat(ack.getHeartbeatMaxSeconds()).isEqualTo(120);
            assertThat(ack.getServerTimeMs()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
            assertThat(conn.route("phone-1")).isEqualTo(conn.node().nodeId() + "|" + ack.getSessionId());
            assertThat(conn.redis().routeTtlMs(conn.app().key(), "phone-1")).isPositive();
            assertThat(conn.session("phone-1")).isNotNull();

            d.pingPong();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.route("phone-1") == null);
    }

    @Test
    void connect_whenHeartbeatOutOfRange_thenClampedOrDefault() throws Exception {
        try (TestDevice a = device(); TestDevice b = device(); TestDevice c = device()) {
            assertThat(a.login(conn.app().connectFrame("hb-a", 1))
                    .getHeartbeatSeconds()).isEqualTo(10);
            assertThat(b.login(conn.app().connectFrame("hb-b", 100_000))
                    .getHeartbeatSeconds()).isEqualTo(120);
            assertThat(c.login(conn.app().connectFrame("hb-c", 0))
                    .getHeartbeatSeconds()).isEqualTo(60);
        }
    }

    @Test
    void connect_whenProtocolVersionIsNot1_thenUnsupportedVersion() throws Exception {
        try (TestDevice d = device()) {
            assertRefused(d, conn.app().connectFrame("d", 30).toBuilder()
                    .setProtocolVersion(2).build(), ErrorCode.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void connect_whenDeviceIdOrAppKeyInvalid_thenInvalidArgument() throws Exception {
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame(conn.app().key(), "bad id!", "x", 30), ErrorCode.INVALID_ARGUMENT);
        }
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame(conn.app().key(), "x".repeat(129), "x", 30),
                    ErrorCode.INVALID_ARGUMENT);
        }
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame("", "dev", "x", 30), ErrorCode.INVALID_ARGUMENT);
        }
    }

    @Test
    void connect_whenAppUnknown_thenUnknownApp() throws Exception {
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame("no-such-app", "dev", "v1.1.x", 30), ErrorCode.UNKNOWN_APP);
        }
    }

    @Test
    void connect_whenTokenWrong_thenBadToken() throws Exception {
        try (TestDevice d = device()) { // signed for another device
            assertRefused(d, TestDevice.connectFrame(conn.app().key(), "dev-a", conn.app().token("dev-b"), 30),
                    ErrorCode.BAD_TOKEN);
        }
        try (TestDevice d = device()) { // signed with another secret
            String forged = DeviceToken.mint("not-the-secret", conn.app().key(), "dev-a",
                    System.currentTimeMillis() / 1000 + 60);
            assertRefused(d, TestDevice.connectFrame(conn.app().key(), "dev-a", forged, 30), ErrorCode.BAD_TOKEN);
        }
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame(conn.app().key(), "dev-a", "garbage", 30), ErrorCode.BAD_TOKEN);
        }
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame(conn.app().key(), "dev-a", "", 30), ErrorCode.BAD_TOKEN);
        }
    }

    @Test
    void connect_whenTokenExpired_thenTokenExpired() throws Exception {
        String expired = DeviceToken.mint(conn.app().secret(), conn.app().key(), "dev-x",
                System.currentTimeMillis() / 1000 - 10);
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame(conn.app().key(), "dev-x", expired, 30), ErrorCode.TOKEN_EXPIRED);
        }
    }

    @Test
    void connect_whenAppRegistryUnreadable_thenInternalAndNodeKeepsServing() throws Exception {
        String broken = "broken-" + System.nanoTime();
        // a string where a hash is expected: every HGET answers WRONGTYPE, i.e. a store error
        TestRedis.await(conn.redis().commands().set(RedisKeys.app(broken), "x".getBytes(StandardCharsets.UTF_8)));
        try (TestDevice d = device()) {
            assertRefused(d, TestDevice.connectFrame(broken, "dev", "v1.1.x", 30), ErrorCode.INTERNAL);
        }
        try (TestDevice d = device()) {
            d.loginOk(conn.app().connectFrame("after-error", 30));
        }
    }

    @Test
    void frame_whenPingBeforeConnect_thenNotConnected() throws Exception {
        try (TestDevice d = device()) {
            d.ping();
            List<TestDevice.Frame> frames = d.readUntilClosed(CLOSE);
            assertThat(frames).hasSize(1);
            assertThat(frames.get(0).error().getCode()).isEqualTo(ErrorCode.NOT_CONNECTED);
        }
    }

    @Test
    void connect_whenSentTwice_thenAlreadyConnected() throws Exception {
        try (TestDevice d = device()) {
            Connect c = conn.app().connectFrame("twice", 30);
            d.loginOk(c);
            d.send(FrameType.CONNECT, c);
            assertThat(d.expectClosedWithError(CLOSE).getCode()).isEqualTo(ErrorCode.ALREADY_CONNECTED);
        }
    }

    @Test
    void connect_whenSecondConnectSentBeforeConnAck_thenAlreadyConnected() throws Exception {
        try (TestDevice d = device()) {
            Connect c = conn.app().connectFrame("pipelined", 30);
            d.send(FrameType.CONNECT, c);
            d.send(FrameType.CONNECT, c);
            assertThat(d.expectClosedWithError(CLOSE).getCode()).isEqualTo(ErrorCode.ALREADY_CONNECTED);
        }
    }

    @Test
    void frame_whenGarbageType_thenMalformedFrameAndClose() throws Exception {
        try (TestDevice d = device()) {
            d.sendRaw(new byte[] {(byte) 0x7F, 1, 2, 3});
            assertThat(d.expectClosedWithError(CLOSE).getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        }
    }

    @Test
    void frame_whenDeclaredLengthOverLimit_thenFrameTooLargeWithoutSendingBody() throws Exception {
        try (TestDevice d = device()) {
            // CONNECT declaring 1 MiB; not one body byte is sent
            d.sendRaw(new byte[] {(byte) FrameType.CONNECT_VALUE, (byte) 0x80, (byte) 0x80, 0x40});
            Error e = d.expectClosedWithError(CLOSE);
            assertThat(e.getCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(e.getReason()).contains("4096");
        }
    }

    @Test
    void frame_whenConnectBodyDoesNotParse_thenMalformedFrame() throws Exception {
        try (TestDevice d = device()) {
            d.sendRaw(new byte[] {(byte) FrameType.CONNECT_VALUE, 3, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            assertThat(d.expectClosedWithError(CLOSE).getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        }
    }

    @Test
    void disconnect_whenDeviceSaysGoodbye_thenRouteRemovedAndClosedWithoutError() throws Exception {
        try (TestDevice d = device()) {
            assertThat(d.login(conn.app().connectFrame("bye", 30)).getCode())
                    .isEqualTo(ErrorCode.OK);
            assertThat(conn.route("bye")).isNotNull();
            d.send(FrameType.DISCONNECT, Disconnect.newBuilder().setReason("user logged out").build());
            assertThat(d.readUntilClosed(CLOSE)).isEmpty();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.route("bye") == null);
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.session("bye") == null);
    }

    @Test
    void metrics_whenScraped_thenConnNodeSeriesExported() throws Exception {
        try (TestDevice d = device()) {
            assertThat(d.login(conn.app().connectFrame("scraped", 30)).getCode())
                    .isEqualTo(ErrorCode.OK);
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                            + conn.node().adminPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("longlink_conn_connections ", "longlink_conn_connects_total ",
                    "longlink_conn_frames_in_total{type=\"CONNECT\"", "longlink_conn_frames_out_total{type=\"CONNACK\"",
                    "longlink_conn_connect_failures_total{code=\"BAD_TOKEN\"", "longlink_conn_event_loop_lag_seconds_bucket",
                    "longlink_conn_idle_evictions_total", "longlink_conn_slow_reader_closes_total",
                    "longlink_conn_kicks_total", "longlink_conn_pushes_written_total", "longlink_conn_acked_total",
                    "longlink_conn_inbox_drains_total", "longlink_conn_inbox_drained_messages_total");
        }
    }
}
