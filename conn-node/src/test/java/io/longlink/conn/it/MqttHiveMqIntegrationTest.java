package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 5 devices (HiveMQ MQTT client) on the MQTT listener: reason codes, properties, takeover, drain. */
@ExtendWith(Infra.class)
class MqttHiveMqIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("mqtt-hivemq-it")
            .with(ConnSettings.MQTT_PORT, 0);

    /** An MQTT 5 client that records its pushes and the reason it was disconnected. */
    private static final class Device implements AutoCloseable {
        final Mqtt5BlockingClient client;
        final BlockingQueue<Mqtt5Publish> publishes = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> disconnects = new LinkedBlockingQueue<>();

        Device(ConnNode node, String deviceId) {
            client = MqttClient.builder().useMqttVersion5().identifier(deviceId).serverHost("127.0.0.1")
                    .serverPort(node.mqttAddress().getPort())
                    .addDisconnectedListener(ctx -> disconnects.add(ctx.getCause()))
                    .buildBlocking();
            client.toAsync().publishes(MqttGlobalPublishFilter.ALL, publishes::add);
        }

        Mqtt5ConnAck connect(String token) {
            return client.connectWith().cleanStart(false).sessionExpiryInterval(3_600).keepAlive(60)
                    .simpleAuth().username(conn.app().key()).password(token.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send();
        }

        Mqtt5ConnAck connect() {
            return connect(conn.app().token(client.getConfig().getClientIdentifier().orElseThrow().toString()));
        }

        Mqtt5DisconnectException disconnectedByServer() throws InterruptedException {
            Throwable cause = disconnects.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(cause).isInstanceOf(Mqtt5DisconnectException.class);
            return (Mqtt5DisconnectException) cause;
        }

        @Override
        public void close() {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        }
    }

    @Test
    void connect_whenBadToken_thenBadUserNameOrPassword() {
        try (Device d = new Device(conn.node(), "hive-bad")) {
            Mqtt5ConnAckException e = catchThrowableOfType(Mqtt5ConnAckException.class, () -> d.connect("v1.1.x"));

            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(e.getMqttMessage().getReasonString()).isPresent();
        }
    }

    @Test
    void connect_whenUnknownApp_thenNotAuthorized() {
        try (Device d = new Device(conn.node(), "hive-stranger")) {
            Mqtt5ConnAckException e = catchThrowableOfType(Mqtt5ConnAckException.class, () -> d.client.connectWith()
                    .simpleAuth().username("no-such-app").password("v1.1.x".getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send());

            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    void connect_whenAccepted_thenServerKeepAliveAndPushWithItsProperties() throws Exception {
        try (Device d = new Device(conn.node(), "hive-push")) {
            Mqtt5ConnAck ack = d.connect();
            assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
            assertThat(ack.getServerKeepAlive()).hasValue(60);
            assertThat(ack.getRestrictions().getMaximumQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            await().atMost(WAIT).until(() -> conn.session("hive-push") != null);
            Push push = TestRouter.push(3_001, "raw").toBuilder().setCollapseKey("k")
                    .setExpiresAtMs(System.currentTimeMillis() + 60_000).build();
            conn.redis().storeInInbox(conn.app().key(), "hive-push", push, 60_000);

            assertThat(conn.router().deliver(conn.router().nextBatch(), TestRouter.delivery(conn.app().key(),
                    "hive-push", "", push))).containsExactly(Outcome.WRITTEN);

            Mqtt5Publish p = d.publishes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(p).isNotNull();
            assertThat(p.getTopic().toString()).isEqualTo("longlink/" + conn.app().key() + "/hive-push/push");
            assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("raw");
            assertThat(p.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            assertThat(p.getMessageExpiryInterval()).isPresent();
            Map<String, String> user = p.getUserProperties().asList().stream().collect(Collectors.toMap(
                    u -> u.getName().toString(), u -> u.getValue().toString()));
            assertThat(user).containsEntry("message-id", "3001").containsEntry("collapse-key", "k");
            await().atMost(WAIT).until(() -> conn.redis().inbox(conn.app().key(), "hive-push").isEmpty());
        }
    }

    @Test
    void secondLogin_whenSameClientIdentifier_thenFirstGetsSessionTakenOver() throws Exception {
        try (Device first = new Device(conn.node(), "hive-twice"); Device second = new Device(conn.node(),
                "hive-twice")) {
            first.connect();
            await().atMost(WAIT).until(() -> conn.session("hive-twice") != null);

            second.connect();

            Mqtt5DisconnectException e = first.disconnectedByServer();
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
            assertThat(second.client.getState().isConnected()).isTrue();
        }
    }

    @Test
    void drain_whenNodeDrains_thenUseAnotherServerWithTheOtherNodesMqttEndpoint() throws Exception {
        ConnNode draining = conn.nodes().set(ConnSettings.MQTT_PORT, 0).start();
        try (Device d = new Device(draining, "hive-drained")) {
            await().atMost(WAIT).until(() -> conn.zkClient().checkExists()
                    .forPath(ZooKeeperPaths.node("conn", draining.nodeId())) != null);
            d.connect();

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + draining.adminPort() + "/drain")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(202);

            Mqtt5DisconnectException e = d.disconnectedByServer();
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.USE_ANOTHER_SERVER);
            assertThat(e.getMqttMessage().getServerReference().map(Object::toString))
                    .hasValue("127.0.0.1:" + conn.node().mqttAddress().getPort());
        } finally {
            draining.close();
        }
    }
}
