package io.longlink.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class LonglinkClientBuilderTest {

    @Test
    void build_whenRequiredValuesMissing_thenErrorNamesTheSetting() {
        assertThatThrownBy(() -> LonglinkClient.builder().appKey("a").deviceId("d").token("t").build())
                .hasMessage("servers: none (expected at least one host:port)");
        assertThatThrownBy(() -> LonglinkClient.builder().servers("h:1").deviceId("d").token("t").build())
                .hasMessage("appKey: none (expected 1..128 characters)");
        assertThatThrownBy(() -> LonglinkClient.builder().servers("h:1").appKey("a").token("t").build())
                .hasMessage("deviceId: none (expected 1..128 characters of [A-Za-z0-9._:-])");
        assertThatThrownBy(() -> LonglinkClient.builder().servers("h:1").appKey("a").deviceId("d").build())
                .hasMessage("token: none (expected token(...) or tokenSupplier(...))");
    }

    @Test
    void build_whenValuesOutOfRange_thenErrorNamesValueAndExpectation() {
        assertBad(b -> b.deviceId("has space"), "deviceId: \"has space\" (expected 1..128 characters of [A-Za-z0-9._:-])");
        assertBad(b -> b.deviceId("x".repeat(129)), "deviceId: \"" + "x".repeat(129) + "\" (expected 1..128 characters of [A-Za-z0-9._:-])");
        assertBad(b -> b.token(" "), "token: empty (expected the token minted by the app's backend)");
        assertBad(b -> b.maxFrameSize(10), "maxFrameSize: 10 (expected 64..67108864)");
        assertBad(b -> b.backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)), "backoff cap: PT1S (expected >= 5000 ms)");
        assertBad(b -> b.connectTimeout(Duration.ZERO), "connectTimeout: PT0S (expected 1..2147483647 ms)");
        assertBad(b -> b.pongTimeout(Duration.ofMillis(-1)), "pongTimeout: PT-0.001S (expected 1..2147483647 ms)");
        assertBad(b -> b.ackBatchSize(0), "ackBatchSize: 0 (expected 1..4096)");
        assertBad(b -> b.dedupCapacity(0), "dedupCapacity: 0 (expected 1..1048576)");
        assertBad(b -> b.heartbeatStepSeconds(0), "heartbeatStepSeconds: 0 (expected 1..3600)");
    }

    @Test
    void servers_whenOneIsMalformed_thenErrorNamesItsIndex() {
        assertThatThrownBy(() -> LonglinkClient.builder().servers("ok:1", "broken"))
                .hasMessage("servers[1]: \"broken\" (expected host:port or [ipv6]:port, port 1..65535)");
    }

    @Test
    void build_whenValid_thenNewClientNotStarted() {
        try (LonglinkClient client = valid().build()) {
            assertThat(client.state()).isEqualTo(ClientState.NEW);
            assertThat(client.session()).isEmpty();
            client.setNetworkKey("wifi:office");
            assertThat(client.networkKey()).isEqualTo("wifi:office");
        }
    }

    @Test
    void start_whenCalledTwice_thenClearError() {
        try (LonglinkClient client = valid().servers("127.0.0.1:1").build()) {
            client.start();
            assertThatThrownBy(client::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("expected NEW");
        }
    }

    private static LonglinkClient.Builder valid() {
        return LonglinkClient.builder().servers("push.example:7000").appKey("app").deviceId("dev:1").token("t");
    }

    private static void assertBad(UnaryOperator<LonglinkClient.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
