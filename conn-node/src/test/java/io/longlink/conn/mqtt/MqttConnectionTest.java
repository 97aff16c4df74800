package io.longlink.conn.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.Ping;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MQTT adapter on EmbeddedChannels: every mapping of docs/protocol.md "MQTT", through both codecs. */
class MqttConnectionTest {
    private static final String APP = "demo-app";
    private static final String DEVICE = "phone-1";
    private static final String TOPIC = "longlink/demo-app/phone-1/push";

    private final MqttPair pair = new MqttPair();

    @AfterEach
    void close() {
        pair.close();
    }

    private void connected(MqttVersion version) {
        List<Object> frames = pair.send(MqttPair.connect(version, DEVICE, APP, "v1.token", 60, null));
        assertThat(frames).hasSize(1).first().isInstanceOf(Connect.class);
        pair.write(Frames.encode(pair.node.alloc(), FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.OK)
                .setSessionId("00000000000000a1").setHeartbeatSeconds(90).setHeartbeatMinSeconds(30)
                .setHeartbeatMaxSeconds(600).setNodeId("conn-1").build()));
        assertThat(pair.received()).singleElement().extracting(m -> m.fixedHeader().messageType())
                .isEqualTo(MqttMessageType.CONNACK);
    }

    private ByteBuf pushFrame(long id, String payload, long expiresAtMs) {
        return Frames.encode(pair.node.alloc(), FrameType.PUSH, push(id, payload, expiresAtMs));
    }

    private static Push push(long id, String payload, long expiresAtMs) {
        return Push.newBuilder().setMessageId(id).setPayload(ByteString.copyFromUtf8(payload))
                .setExpiresAtMs(expiresAtMs).setSentAtMs(1_700_000_000_000L).build();
    }

    private static String payload(MqttPublishMessage p) {
        return p.payload().toString(StandardCharsets.UTF_8);
    }

    @Test
    void connect_whenMqtt311_thenConnectFrameWithAppKeyDeviceIdTokenAndKeepAlive() {
        List<Object> frames = pair.send(MqttPair.connect(MqttVersion.MQTT_3_1_1, DEVICE, APP, "v1.token", 45, null));

        assertThat(frames).singleElement().isEqualTo(Connect.newBuilder().setProtocolVersion(1).setAppKey(APP)
                .setDeviceId(DEVICE).setToken("v1.token").setHeartbeatSeconds(45).setClientVersion("mqtt/3.1.1")
                .build());
    }

    @Test
    void connAck_whenOkOnMqtt5_thenAcceptedWithServerKeepAliveAndSessionPresent() {
        pair.send(MqttPair.connect(MqttVersion.MQTT_5, DEVICE, APP, "v1.token", 0, null));
        pair.write(Frames.encode(pair.node.alloc(), FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.OK)
                .setSessionId("00000000000000a1").setHeartbeatSeconds(240).setNodeId("conn-1").build()));

        MqttConnAckMessage ack = (MqttConnAckMessage) pair.received().get(0);
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(ack.variableHeader().isSessionPresent()).isTrue(); // clean start false
        MqttProperties props = ack.variableHeader().properties();
        assertThat(props.getProperty(MqttProperties.SERVER_KEEP_ALIVE).value()).isEqualTo(240);
        assertThat(props.getProperty(MqttProperties.MAXIMUM_QOS).value()).isEqualTo(1);
        assertThat(props.getProperty(MqttProperties.MAXIMUM_PACKET_SIZE).value()).isEqualTo(MqttPair.MAX_PACKET);
        assertThat(props.getProperty(MqttProperties.USER_PROPERTY).toString()).contains("session-id")
                .contains("00000000000000a1");
    }

    @Test
    void push_whenTtlOnMqtt311_thenQos1WithPushMessage_andPubAckBecomesAck() throws Exception {
        connected(MqttVersion.MQTT_3_1_1);
        pair.write(pushFrame(77, "hello", System.currentTimeMillis() + 60_000));

        MqttPublishMessage p = (MqttPublishMessage) pair.received().get(0);
        assertThat(p.variableHeader().topicName()).isEqualTo(TOPIC);
        assertThat(p.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        Push body = Push.parseFrom(ByteBufUtil.getBytes(p.payload()));
        assertThat(body.getMessageId()).isEqualTo(77);
        assertThat(body.getPayload().toStringUtf8()).isEqualTo("hello");

        List<Object> frames = pair.send(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build());
        assertThat(frames).containsExactly(Ack.newBuilder().addMessageIds(77).build());
        p.release();
    }

    @Test
    void push_whenBodyNeedsMultiByteLengthsOnMqtt311_thenEveryByteOfThePushArrives() throws Exception {
        connected(MqttVersion.MQTT_3_1_1);
        for (int size : new int[] {100, 300, 20_000}) {
            String text = "x".repeat(size);
            pair.write(pushFrame(size, text, System.currentTimeMillis() + 60_000));

            MqttPublishMessage p = (MqttPublishMessage) pair.received().get(0);
            assertThat(p.variableHeader().topicName()).isEqualTo(TOPIC);
            assertThat(ByteBufUtil.getBytes(p.payload())).isEqualTo(push(size, text, 0).toBuilder()
                    .setExpiresAtMs(Push.parseFrom(ByteBufUtil.getBytes(p.payload())).getExpiresAtMs()).build()
                    .toByteArray());
            assertThat(pair.send(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build()))
                    .containsExactly(Ack.newBuilder().addMessageIds(size).build());
            p.release();
        }
    }

    @Test
    void push_whenNoTtl_thenQos0AndNothingInFlight() {
        connected(MqttVersion.MQTT_3_1_1);
        pair.write(pushFrame(78, "online only", 0));

        MqttPublishMessage p = (MqttPublishMessage) pair.received().get(0);
        assertThat(p.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
        p.release();
    }

    @Test
    void push_whenMqtt5_thenRawPayloadWithIdCollapseKeyNotificationAndExpiry() {
        connected(MqttVersion.MQTT_5);
        Push push = push(-2, "raw bytes", System.currentTimeMillis() + 30_000).toBuilder().setCollapseKey("score")
                .setNotification(Notification.newBuilder().setTitle("Goal").setBody("1:0")).build();
        pair.write(Frames.encode(pair.node.alloc(), FrameType.PUSH, push));

        MqttPublishMessage p = (MqttPublishMessage) pair.received().get(0);
        assertThat(payload(p)).isEqualTo("raw bytes");
        assertThat(p.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
        MqttProperties props = p.variableHeader().properties();
        assertThat((Integer) props.getProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL).value()).isBetween(29, 30);
        String user = props.getProperty(MqttProperties.USER_PROPERTY).toString();
        assertThat(user).contains("message-id", Long.toUnsignedString(-2)).contains("collapse-key", "score")
                .contains("notification-title", "Goal").contains("notification-body", "1:0");
        p.release();
    }

    @Test
    void push_whenFrameSharedByAFanOut_thenReadInPlaceAndEveryReferenceReleased() {
        connected(MqttVersion.MQTT_5);
        ByteBuf shared = pushFrame(79, "to many", System.currentTimeMillis() + 60_000);
        int readerIndex = shared.readerIndex();

        pair.write(shared.retainedDuplicate());
        pair.write(shared.retainedDuplicate());

        List<MqttMessage> got = pair.received();
        assertThat(got).hasSize(2);
        assertThat(shared.readerIndex()).isEqualTo(readerIndex);
        assertThat(shared.refCnt()).isEqualTo(1);
        got.forEach(m -> ((MqttPublishMessage) m).release());
        shared.release();
    }

    @Test
    void push_whenInFlightWindowFull_thenQos0UntilAPubAckFreesASlot() {
        connected(MqttVersion.MQTT_3_1_1);
        long ttl = System.currentTimeMillis() + 60_000;
        for (int i = 1; i <= 5; i++) {
            pair.write(pushFrame(100 + i, "m" + i, ttl));
        }
        List<MqttMessage> got = pair.received();

        assertThat(got).extracting(m -> m.fixedHeader().qosLevel()).containsExactly(MqttQoS.AT_LEAST_ONCE,
                MqttQoS.AT_LEAST_ONCE, MqttQoS.AT_LEAST_ONCE, MqttQoS.AT_LEAST_ONCE, MqttQoS.AT_MOST_ONCE);
        int first = ((MqttPublishMessage) got.get(0)).variableHeader().packetId();
        assertThat(pair.send(MqttMessageBuilders.pubAck().packetId(first).build()))
                .containsExactly(Ack.newBuilder().addMessageIds(101).build());
        pair.write(pushFrame(106, "m6", ttl));
        assertThat(pair.received()).singleElement().extracting(m -> m.fixedHeader().qosLevel())
                .isEqualTo(MqttQoS.AT_LEAST_ONCE);
        got.forEach(m -> ((MqttPublishMessage) m).release());
    }

    @Test
    void push_whenLargerThanTheMqtt5ClientsMaximumPacketSize_thenNotSentAndNotInFlight() {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, 200));
        pair.send(MqttPair.connect(MqttVersion.MQTT_5, DEVICE, APP, "v1.token", 60, props));
        pair.write(Frames.encode(pair.node.alloc(), FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.OK)
                .build()));
        pair.received();
        long ttl = System.currentTimeMillis() + 60_000;

        pair.write(pushFrame(90, "x".repeat(200), ttl));
        assertThat(pair.received()).isEmpty();

        pair.write(pushFrame(91, "small", ttl));
        MqttPublishMessage p = (MqttPublishMessage) pair.received().get(0);
        assertThat(payload(p)).isEqualTo("small");
        assertThat(pair.send(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build()))
                .containsExactly(Ack.newBuilder().addMessageIds(91).build());
        p.release();
    }

    @Test
    void pubAck_whenUnknownPacketId_thenEmptyAckStillCountsAsAFrame() {
        connected(MqttVersion.MQTT_3_1_1);

        assertThat(pair.send(MqttMessageBuilders.pubAck().packetId(9).build()))
                .containsExactly(Ack.getDefaultInstance());
    }

    @Test
    void pingAndDisconnect_thenPingAndDisconnectFrames_andPongBecomesPingResp() {
        connected(MqttVersion.MQTT_3_1_1);

        assertThat(pair.send(MqttMessage.PINGREQ)).containsExactly(Ping.INSTANCE);
        pair.write(Frames.PONG.duplicate());
        assertThat(pair.received()).singleElement().extracting(m -> m.fixedHeader().messageType())
                .isEqualTo(MqttMessageType.PINGRESP);
        assertThat(pair.send(MqttMessage.DISCONNECT)).singleElement().isInstanceOf(Disconnect.class);
    }

    @Test
    void refusedConnect_whenBadTokenOnMqtt311_thenConnAck0x04AndClose() {
        pair.send(MqttPair.connect(MqttVersion.MQTT_3_1_1, DEVICE, APP, "bad", 60, null));
        pair.write(Frames.connAckFailure(pair.node.alloc(), ErrorCode.BAD_TOKEN, "bad token", "conn-1"));
        pair.error(ErrorCode.BAD_TOKEN, "bad token");

        MqttConnAckMessage ack = (MqttConnAckMessage) pair.received().get(0);
        assertThat(ack.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
        assertThat(pair.node.isOpen()).isFalse();
    }

    @Test
    void refusedConnect_whenEveryCodeOnMqtt5_thenTheDocumentedReasonCode() {
        assertThat(MqttCodes.connAck5(ErrorCode.BAD_TOKEN, false)).isEqualTo(0x86);
        assertThat(MqttCodes.connAck5(ErrorCode.TOKEN_EXPIRED, false)).isEqualTo(0x86);
        assertThat(MqttCodes.connAck5(ErrorCode.UNKNOWN_APP, false)).isEqualTo(0x87);
        assertThat(MqttCodes.connAck5(ErrorCode.INVALID_ARGUMENT, false)).isEqualTo(0x85);
        assertThat(MqttCodes.connAck5(ErrorCode.NODE_FULL, false)).isEqualTo(0x89);
        assertThat(MqttCodes.connAck5(ErrorCode.RATE_LIMITED, false)).isEqualTo(0x9F);
        assertThat(MqttCodes.connAck5(ErrorCode.SERVER_DRAINING, true)).isEqualTo(0x9C);
        assertThat(MqttCodes.connAck5(ErrorCode.SERVER_DRAINING, false)).isEqualTo(0x88);
        assertThat(MqttCodes.connAck5(ErrorCode.INTERNAL, false)).isEqualTo(0x88);
        assertThat(MqttCodes.connAck311(ErrorCode.UNKNOWN_APP)).isEqualTo(0x05);
        assertThat(MqttCodes.connAck311(ErrorCode.NODE_FULL)).isEqualTo(0x03);
        assertThat(MqttCodes.connAck311(ErrorCode.MALFORMED_FRAME)).isEqualTo(MqttCodes.CLOSE);
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.UNRECOGNIZED) { // every code has a valid MQTT reason code
                assertThat(MqttConnectReturnCode.valueOf((byte) MqttCodes.connAck5(code, false))).isNotNull();
                assertThat(MqttCodes.disconnect5(code, false)).isBetween(0x80, 0xA2);
            }
        }
    }

    @Test
    void refusedConnect_whenNodeDrainsOnMqtt5_thenUseAnotherServerWithServerReference() {
        pair.send(MqttPair.connect(MqttVersion.MQTT_5, DEVICE, APP, "v1.token", 60, null));
        pair.write(Frames.connAckFailure(pair.node.alloc(), ErrorCode.SERVER_DRAINING, "draining", "conn-1"));
        pair.write(Frames.encode(pair.node.alloc(), FrameType.REDIRECT, Redirect.newBuilder()
                .addAddresses("10.0.0.2:1883").addAddresses("10.0.0.3:1883").setRetryAfterMs(1500).build()));
        pair.error(ErrorCode.SERVER_DRAINING, "draining");

        MqttConnAckMessage ack = (MqttConnAckMessage) pair.received().get(0);
        assertThat(ack.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_USE_ANOTHER_SERVER);
        assertThat(ack.variableHeader().properties().getProperty(MqttProperties.SERVER_REFERENCE).value())
                .isEqualTo("10.0.0.2:1883 10.0.0.3:1883");
        assertThat(pair.node.isOpen()).isFalse();
    }

    @Test
    void kick_whenMqtt5_thenDisconnectSessionTakenOver_andWhenMqtt311_thenCloseOnly() {
        connected(MqttVersion.MQTT_5);
        pair.write(Frames.encode(pair.node.alloc(), FrameType.KICK, Kick.newBuilder().setReason("taken").build()));
        pair.error(ErrorCode.KICKED, "taken");

        MqttMessage bye = pair.received().get(0);
        assertThat(bye.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
        assertThat(((MqttReasonCodeAndPropertiesVariableHeader) bye.variableHeader()).reasonCode())
                .isEqualTo((byte) 0x8E);
        assertThat(pair.node.isOpen()).isFalse();

        try (MqttPair old = new MqttPair()) {
            old.send(MqttPair.connect(MqttVersion.MQTT_3_1_1, DEVICE, APP, "v1.token", 60, null));
            old.write(Frames.encode(old.node.alloc(), FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.OK)
                    .build()));
            old.received();
            old.error(ErrorCode.KICKED, "taken");
            assertThat(old.received()).isEmpty();
            assertThat(old.node.isOpen()).isFalse();
        }
    }

    @Test
    void drainRedirect_whenMqtt5_thenDisconnectUseAnotherServerWithServerReference() {
        connected(MqttVersion.MQTT_5);
        pair.write(Frames.encode(pair.node.alloc(), FrameType.REDIRECT, Redirect.newBuilder()
                .addAddresses("10.0.0.2:1883").setRetryAfterMs(1200).build()));
        pair.error(ErrorCode.SERVER_DRAINING, "node conn-1 is draining");

        MqttMessage bye = pair.received().get(0);
        MqttReasonCodeAndPropertiesVariableHeader h = (MqttReasonCodeAndPropertiesVariableHeader) bye.variableHeader();
        assertThat(h.reasonCode()).isEqualTo((byte) 0x9C);
        assertThat(h.properties().getProperty(MqttProperties.SERVER_REFERENCE).value()).isEqualTo("10.0.0.2:1883");
        assertThat(h.properties().getProperty(MqttProperties.REASON_STRING).value())
                .isEqualTo("node conn-1 is draining");
    }

    @Test
    void subscribe_whenOwnTopicOtherTopicAndWildcardOnMqtt5_thenGrantedNotAuthorizedAndWildcardRefused() {
        connected(MqttVersion.MQTT_5);
        pair.send(MqttMessageBuilders.subscribe().messageId(3).addSubscription(MqttQoS.EXACTLY_ONCE, TOPIC)
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "longlink/demo-app/phone-2/push")
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "longlink/demo-app/+/push").build());

        MqttSubAckMessage ack = (MqttSubAckMessage) pair.received().get(0);
        assertThat(ack.variableHeader().messageId()).isEqualTo(3);
        assertThat(ack.payload().reasonCodes()).containsExactly(1, 0x87, 0xA2);
    }

    @Test
    void subscribe_whenOtherTopicOnMqtt311_thenFailure0x80_andQos0SubscriptionMakesPushesQos0() {
        connected(MqttVersion.MQTT_3_1_1);
        pair.send(MqttMessageBuilders.subscribe().messageId(4).addSubscription(MqttQoS.AT_MOST_ONCE, TOPIC)
                .addSubscription(MqttQoS.AT_LEAST_ONCE, "other").build());
        MqttSubAckMessage ack = (MqttSubAckMessage) pair.received().get(0);
        assertThat(ack.payload().reasonCodes()).containsExactly(0, 0x80);

        pair.write(pushFrame(80, "x", System.currentTimeMillis() + 60_000));
        MqttPublishMessage p = (MqttPublishMessage) pair.received().get(0);
        assertThat(p.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
        p.release();
    }

    @Test
    void subscribe_whenBeforeConnAck_thenNotConnected() {
        pair.send(MqttPair.connect(MqttVersion.MQTT_3_1_1, DEVICE, APP, "v1.token", 60, null));
        pair.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, TOPIC).build());

        assertThat(pair.refusals).singleElement().asString().startsWith("NOT_CONNECTED");
    }

    @Test
    void clientPublish_whenMqtt5_thenDisconnectNotAuthorized() {
        connected(MqttVersion.MQTT_5);
        pair.send(MqttMessageBuilders.publish().topicName(TOPIC).qos(MqttQoS.AT_MOST_ONCE)
                .payload(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8)).build());

        assertThat(pair.refusals).singleElement().asString().startsWith("MALFORMED_FRAME");
        MqttMessage bye = pair.received().get(0);
        assertThat(((MqttReasonCodeAndPropertiesVariableHeader) bye.variableHeader()).reasonCode())
                .isEqualTo((byte) 0x87);
        assertThat(pair.node.isOpen()).isFalse();
    }

    @Test
    void connect_whenWillSet_thenRefusedNotAuthorized() {
        pair.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(DEVICE)
                .hasUser(true).username(APP).hasPassword(true).password(new byte[] {'t'}).willFlag(true)
                .willTopic("t").willMessage(new byte[] {1}).build());

        assertThat(pair.refusals).singleElement().asString().startsWith("INVALID_ARGUMENT");
        MqttConnAckMessage ack = (MqttConnAckMessage) pair.received().get(0);
        assertThat(ack.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
    }

    @Test
    void connect_whenMqtt31_thenUnacceptableProtocolVersion() {
        pair.send(MqttPair.connect(MqttVersion.MQTT_3_1, DEVICE, APP, "v1.token", 60, null));

        assertThat(pair.refusals).singleElement().asString().startsWith("UNSUPPORTED_VERSION");
        MqttConnAckMessage ack = (MqttConnAckMessage) pair.received().get(0);
        assertThat(ack.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
    }

    @Test
    void decode_whenPacketOverTheLimit_thenFrameTooLargeBeforeTheBodyArrives() {
        connected(MqttVersion.MQTT_3_1_1);
        // a PUBLISH header declaring 1 MiB of body; the body never comes
        pair.node.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x30, (byte) 0x80, (byte) 0x80, 0x40}));

        assertThat(pair.refusals).singleElement().asString().startsWith("FRAME_TOO_LARGE");
        assertThat(pair.node.isOpen()).isFalse();
    }

    @Test
    void decode_whenGarbage_thenMalformedAndClose() {
        pair.node.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x00, 0x02, 0x01, 0x02}));

        assertThat(pair.refusals).singleElement().asString().startsWith("MALFORMED_FRAME");
        assertThat(pair.node.isOpen()).isFalse();
    }

    @Test
    void pubRel_whenSent_thenProtocolErrorClose() {
        connected(MqttVersion.MQTT_5);
        pair.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(1)));

        assertThat(pair.refusals).singleElement().asString().startsWith("MALFORMED_FRAME");
        assertThat(((MqttReasonCodeAndPropertiesVariableHeader) pair.received().get(0).variableHeader())
                .reasonCode()).isEqualTo((byte) 0x82);
    }
}
