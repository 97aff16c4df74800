package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnNode;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.longlink.sdk.DisconnectCode;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Business system -> api-node -> Kafka -> router -> conn-node web listener -> WebSocket device, every piece real. */
@ExtendWith(Infra.class)
class WebSocketEndToEndIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger APPS = new AtomicInteger();
    private static TestCluster cluster;
    private static RedisServer redis;

    private final List<AutoCloseable> devices = new ArrayList<>();
    private TestCluster.App app;

    @BeforeAll
    static void startCluster(RedisServer redisServer, TestingServer zk, KafkaCluster kafka) throws Exception {
        redis = redisServer;
        cluster = TestCluster.start(redis, zk, kafka, 2, 1, Map.of("conn.ws.port", "0"));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void createApp() {
        app = cluster.createApp("ws-" + APPS.incrementAndGet());
    }

    @AfterEach
    void closeDevices() throws Exception {
        for (AutoCloseable d : devices) {
            d.close();
        }
    }

    @Test
    void json_pushToOnlineDevice_isReceivedAndAckCountedWithNoInboxEntryLeft() throws Exception {
        WsDevice d = jsonLogin(cluster.connNodes().get(0), "browser-1");

        long id = app.pushTo("browser-1", "hello web");

        await().atMost(WAIT).until(() -> d.messages.stream().anyMatch(m -> m.startsWith("{\"type\":\"PUSH\"")));
        String json = d.messages.stream().filter(m -> m.startsWith("{\"type\":\"PUSH\"")).findFirst().orElseThrow();
        assertThat(json).contains("\"messageId\":\"" + Long.toUnsignedString(id) + "\"",
                "\"payload\":\"aGVsbG8gd2Vi\"");

        d.sendText("{\"type\":\"ACK\",\"messageIds\":[\"" + Long.toUnsignedString(id) + "\"]}");

        // a live copy may be awaited by the router (stored only if no ACK comes in time): the ACK is counted either way
        await().atMost(WAIT).until(() -> app.push().getMessageStatus(GetMessageStatusRequest.newBuilder()
                .setMessageId(id).build()).getAcked() == 1);
        await().atMost(WAIT).until(() -> app.inboxDepth(redis, "browser-1") == 0);
    }

    @Test
    void binary_pushesWhileOffline_areCaughtUpOnConnectInOrderAndAckEmptiesTheInbox() throws Exception {
        String token = app.registerWebDevice("offline-tab");
        long first = app.pushTo("offline-tab", "one");
        long second = app.pushTo("offline-tab", "two");
        await().atMost(WAIT).until(() -> app.inboxDepth(redis, "offline-tab") == 2);

        WsDevice d = open(cluster.connNodes().get(1), WsDevice.BINARY);
        d.sendBinary(WsDevice.connectFrame(app.key(), "offline-tab", token));

        await().atMost(WAIT).until(() -> d.messages.size() >= 3);
        assertThat(d.messages).startsWith("CONNACK", "PUSH", "PUSH");
        List<Long> ids = d.binary.subList(1, 3).stream().map(WebSocketEndToEndIntegrationTest::pushOf)
                .map(Push::getMessageId).toList();
        assertThat(ids).containsExactly(first, second);

        d.sendBinary(WsDevice.ackFrame(first, second));
        await().atMost(WAIT).until(() -> app.inboxDepth(redis, "offline-tab") == 0);
    }

    @Test
    void duplicateLogin_webSocketKicksSdk_andSdkKicksWebSocketWithCloseCode4014() throws Exception {
        Device sdk = Device.register(cluster, app, "shared-device");
        devices.add(sdk);
        sdk.connect();

        WsDevice web = open(cluster.connNodes().get(0), WsDevice.JSON);
        web.sendText(WsDevice.connectJson(app.key(), "shared-device", sdk.token));
        await().atMost(WAIT).until(() -> web.messages.stream().anyMatch(m -> m.contains("\"code\":\"OK\"")));
        await().atMost(WAIT).until(() -> sdk.disconnects.stream()
                .anyMatch(x -> x.code() == DisconnectCode.KICKED && !x.willRetry()));

        sdk.connect();

        assertThat(web.awaitClose()).startsWith("4014 ");
        assertThat(web.messages).filteredOn(m -> !m.startsWith("{\"type\":\"PUSH\""))
                .extracting(m -> m.substring(0, m.indexOf(',') > 0 ? m.indexOf(',') : m.length()))
                .containsExactly("{\"type\":\"CONNACK\"", "{\"type\":\"KICK\"", "{\"type\":\"ERROR\"");
        assertThat(web.messages.get(web.messages.size() - 1)).contains("\"code\":\"KICKED\"");
    }

    @Test
    void badToken_isRefusedWithConnAckErrorAndCloseCode4005() throws Exception {
        app.registerWebDevice("bad-token-tab");
        WsDevice d = open(cluster.connNodes().get(0), WsDevice.JSON);

        d.sendText(WsDevice.connectJson(app.key(), "bad-token-tab", "v1.1.not-a-mac"));

        assertThat(d.awaitClose()).startsWith("4005 ");
        assertThat(d.messages).hasSize(2);
        assertThat(d.messages.get(0)).startsWith("{\"type\":\"CONNACK\",\"code\":\"BAD_TOKEN\"");
        assertThat(d.messages.get(1)).startsWith("{\"type\":\"ERROR\",\"code\":\"BAD_TOKEN\"");
    }

    @Test
    void drain_redirectsWebSocketDevicesToTheOtherNodesWebSocketEndpoints() throws Exception {
        ConnNode draining = cluster.startConnNode();
        WsDevice d = jsonLogin(draining, "drained-tab");
        long id = app.pushTo("drained-tab", "before the drain");
        await().atMost(WAIT).until(() -> d.messages.stream().anyMatch(m -> m.contains(Long.toUnsignedString(id))));

        Thread drain = Thread.ofPlatform().start(draining::close);
        try {
            assertThat(d.awaitClose()).startsWith("4013 ");
        } finally {
            drain.join(WAIT.toMillis());
        }

        String redirect = d.messages.stream().filter(m -> m.startsWith("{\"type\":\"REDIRECT\"")).findFirst()
                .orElseThrow();
        Redirect.Builder r = Redirect.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().ignoringUnknownFields().merge(redirect, r);
        assertThat(r.getAddressesList()).containsExactlyInAnyOrderElementsOf(cluster.connNodes().stream()
                .filter(n -> n != draining).map(n -> "127.0.0.1:" + n.webAddress().getPort()).toList());
        assertThat(d.messages.get(d.messages.size() - 1)).contains("\"code\":\"SERVER_DRAINING\"");
    }

    private WsDevice jsonLogin(ConnNode node, String deviceId) throws Exception {
        String token = app.registerWebDevice(deviceId);
        WsDevice d = open(node, WsDevice.JSON);
        d.sendText(WsDevice.connectJson(app.key(), deviceId, token));
        await().atMost(WAIT).until(() -> d.messages.stream().anyMatch(m -> m.startsWith("{\"type\":\"CONNACK\"")));
        assertThat(d.messages.get(0)).contains("\"code\":\"OK\"");
        return d;
    }

    private WsDevice open(ConnNode node, String subprotocol) throws Exception {
        WsDevice d = WsDevice.open(node.webAddress(), subprotocol);
        devices.add(d);
        return d;
    }


    private static Push pushOf(byte[] frame) {
        int i = 1;
        while (frame[i] < 0) {
            i++;
        }
        try {
            return Push.parseFrom(Arrays.copyOfRange(frame, i + 1, frame.length));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

}
