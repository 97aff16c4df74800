package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-connection frame and ACK-id rates: a device over either gets ERROR RATE_LIMITED and is closed. */
@ExtendWith(Infra.class)
class RateLimitIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("rate-limit-it")
            .with(ConnSettings.MAX_FRAMES_PER_S, 10) // bursts of 20
            .with(ConnSettings.MAX_ACK_IDS_PER_S, 100); // bursts of 200

    @Test
    void pings_whenOverTheFrameBurst_thenRateLimitedAndClosed() throws Exception {
        double before = conn.metric("longlink_conn_disconnects_total", "code", "RATE_LIMITED");
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginLive(conn.node(), conn.app(), "chatty"); // CONNECT and one PING
            byte[] pings = new byte[2 * 40];
            for (int i = 0; i < pings.length; i += 2) {
                pings[i] = (byte) FrameType.PING_VALUE;
            }
            d.sendRaw(pings);
            Error error = d.expectClosedWithError(Duration.ofSeconds(5));
            assertThat(error.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(error.getReason()).startsWith("more than 10 frames per second");
        }
        assertThat(conn.metric("longlink_conn_disconnects_total", "code", "RATE_LIMITED")).isEqualTo(before + 1);
    }

    @Test
    void acks_whenOverTheIdBurst_thenRateLimitedAndClosed() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginLive(conn.node(), conn.app(), "acker");
            d.ack(LongStream.rangeClosed(1, 150).toArray());
            d.pingPong();
            d.ack(LongStream.rangeClosed(151, 300).toArray());
            Error error = d.expectClosedWithError(Duration.ofSeconds(5));
            assertThat(error.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(error.getReason()).startsWith("more than 100 ACK ids per second");
        }
    }

    @Test
    void frames_whenWithinTheRate_thenServed() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginLive(conn.node(), conn.app(), "polite");
            for (int i = 0; i < 10; i++) {
                d.pingPong();
            }
            d.ack(LongStream.rangeClosed(1, 100).toArray());
            d.pingPong();
        }
    }
}
