package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Eclipse Paho (MQTT 3.1.1) devices on the MQTT listener, pushed to through the node's Deliver stream. */
@ExtendWith(Infra.class)
class MqttPahoIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("mqtt-paho-it")
            .with(ConnSettings.MQTT_PORT, 0);

    /** A Paho client of the class app that records what arrives and why it was lost. */
    private static final class Device implements MqttCallback, AutoCloseable {
        final MqttClient client;
        final BlockingQueue<MqttMessage> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> lost = new LinkedBlockingQueue<>();
        IMqttToken connected;

        Device(String deviceId) throws MqttException {
            client = new MqttClient("tcp://127.0.0.1:" + conn.node().mqttAddress().getPort(), deviceId,
                    new MemoryPersistence());
            client.setCallback(this);
        }

        Device connect(String token) throws MqttException {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName(conn.app().key());
            o.setPassword(token.toCharArray());
            o.setCleanSession(false);
            // Paho's default retries a refused 3.1.1 CONNECT as MQTT 3.1, which would hide the refusal's code
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setKeepAliveInterval(60);
            o.setAutomaticReconnect(false);
            connected = client.connectWithResult(o);
            return this;
        }

        Device connect() throws MqttException {
            return connect(conn.app().token(client.getClientId()));
        }

        String messagesTopic() {
            return "longlink/" + conn.app().key() + "/" + client.getClientId() + "/push";
        }

        Push next() throws Exception {
            MqttMessage m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m).as("a PUBLISH within %s", WAIT).isNotNull();
            return Push.parseFrom(m.getPayload());
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.add(cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            assertThat(topic).isEqualTo(messagesTopic());
            messages.add(message);
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect(1_000);
            }
            client.close(true);
        }
    }

    private static List<Outcome> deliver(String device, Push push) throws InterruptedException {
        return conn.router().deliver(conn.router().nextBatch(), TestRouter.delivery(conn.app().key(), device, "",
                push));
    }

    private static Push withTtl(long id, String payload) {
        return TestRouter.push(id, payload).toBuilder().setExpiresAtMs(System.currentTimeMillis() + 60_000).build();
    }

    @Test
    void push_whenItHasATtl_thenQos1AndThePubAckRemovesTheInboxEntry() throws Exception {
        try (Device d = new Device("paho-ttl").connect()) {
            d.client.subscribe(d.messagesTopic(), 1);
            await().atMost(WAIT).until(() -> conn.session("paho-ttl") != null);
            Push push = withTtl(1_001, "stored");
            conn.redis().storeInInbox(conn.app().key(), "paho-ttl", push, 60_000);

            assertThat(deliver("paho-ttl", push)).containsExactly(Outcome.WRITTEN);

            Push got = d.next();
            assertThat(got.getMessageId()).isEqualTo(1_001);
            assertThat(got.getPayload().toStringUtf8()).isEqualTo("stored");
            await().atMost(WAIT).until(() -> conn.redis().inbox(conn.app().key(), "paho-ttl").isEmpty());
        }
    }

    @Test
    void push_whenNoTtl_thenQos0() throws Exception {
        try (Device d = new Device("paho-online").connect()) {
            await().atMost(WAIT).until(() -> conn.session("paho-online") != null);

            assertThat(deliver("paho-online", TestRouter.push(1_002, "online only"))).containsExactly(Outcome.WRITTEN);

            MqttMessage m = d.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m).isNotNull();
            assertThat(m.getQos()).isZero();
            assertThat(Push.parseFrom(m.getPayload()).getPayload().toStringUtf8()).isEqualTo("online only");
        }
    }

    @Test
    void connect_whenCleanSessionFalseAndInboxFilled_thenSessionPresentAndInboxInOrder() throws Exception {
        String app = conn.app().key();
        for (long id = 2_001; id <= 2_003; id++) {
            conn.redis().storeInInbox(app, "paho-offline", withTtl(id, "m" + id), 60_000);
        }

        try (Device d = new Device("paho-offline").connect()) {
            assertThat(d.connected.getSessionPresent()).isTrue();
            assertThat(List.of(d.next().getMessageId(), d.next().getMessageId(), d.next().getMessageId()))
                    .containsExactly(2_001L, 2_002L, 2_003L);
            await().atMost(WAIT).until(() -> conn.redis().inbox(app, "paho-offline").isEmpty());
        }
    }

    @Test
    void secondLogin_whenTcpDeviceLogsIn_thenMqttConnectionClosed_andBack() throws Exception {
        try (Device mqtt = new Device("paho-kicked").connect()) {
            await().atMost(WAIT).until(() -> conn.session("paho-kicked") != null);
            try (TestDevice tcp = TestDevice.connect(conn.node().deviceAddress())) {
                tcp.loginLive(conn.node(), conn.app(), "paho-kicked");

                assertThat(mqtt.lost.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
                assertThat(mqtt.client.isConnected()).isFalse();

                try (Device again = new Device("paho-kicked").connect()) {
                    List<TestDevice.Frame> frames = tcp.readUntilClosed(WAIT);
                    assertThat(frames).extracting(TestDevice.Frame::frameType)
                            .containsExactly(FrameType.KICK, FrameType.ERROR);
                    assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
                    await().atMost(WAIT).until(() -> conn.route("paho-kicked") != null
                            && conn.route("paho-kicked").endsWith(conn.session("paho-kicked").connectionIdText()));
                }
            }
        }
    }

    @Test
    void secondLogin_whenAnotherMqttClientLogsIn_thenTheFirstIsClosed() throws Exception {
        try (Device first = new Device("paho-twice").connect()) {
            await().atMost(WAIT).until(() -> conn.session("paho-twice") != null);
            try (Device second = new Device("paho-twice").connect()) {
                assertThat(first.lost.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
                assertThat(second.client.isConnected()).isTrue();
            }
        }
    }

    @Test
    void subscribe_whenAnotherDevicesTopic_thenRefusedWith0x80() throws Exception {
        try (Device d = new Device("paho-nosy").connect()) {
            IMqttToken token = d.client.subscribeWithResponse(
                    new String[] {"longlink/" + conn.app().key() + "/someone-else/push", d.messagesTopic()},
                    new int[] {1, 1});

            assertThat(token.getGrantedQos()).containsExactly(0x80, 1);
        }
    }

    @Test
    void connect_whenBadToken_thenRefusedBadUserNameOrPassword() throws Exception {
        try (Device d = new Device("paho-bad")) {
            MqttException e = org.assertj.core.api.Assertions.catchThrowableOfType(MqttException.class,
                    () -> d.connect("v1.1.bad"));
            assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        }
    }
}
