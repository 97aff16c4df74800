package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real mosquitto_sub (Debian's mosquitto-clients, installed by ops/install-deps) as a device: a
 * test that fails, never skips, when the binary is missing.
 */
@ExtendWith(Infra.class)
class MqttMosquittoSubIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("mqtt-mosquitto-it")
            .with(ConnSettings.MQTT_PORT, 0);

    @Test
    void mosquittoSub_whenPushedWithTtl_thenPrintsThePayloadAndItsPubAckEmptiesTheInbox() throws Exception {
        String app = conn.app().key();
        String device = "mosquitto-sub-1";
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1",
                "-p", Integer.toString(conn.node().mqttAddress().getPort()), "-V", "mqttv5", "-i", device,
                "-u", app, "-P", conn.app().token(device), "-t", "longlink/" + app + "/" + device + "/push",
                "-q", "1", "-C", "1", "-F", "%p").redirectErrorStream(true).start();
        try {
            await().atMost(WAIT).until(() -> conn.session(device) != null);
            Push push = TestRouter.push(4_001, "hello mosquitto").toBuilder()
                    .setExpiresAtMs(System.currentTimeMillis() + 60_000).build();
            conn.redis().storeInInbox(app, device, push, 60_000);

            assertThat(conn.router().deliver(conn.router().nextBatch(), TestRouter.delivery(app, device, "", push)))
                    .containsExactly(Outcome.WRITTEN);

            assertThat(sub.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("mosquitto_sub exits after -C 1")
                    .isTrue();
            String out = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out.strip()).isEqualTo("hello mosquitto");
            assertThat(sub.exitValue()).isZero();
            await().atMost(WAIT).until(() -> conn.redis().inbox(app, device).isEmpty());
        } finally {
            sub.destroyForcibly();
        }
    }
}
