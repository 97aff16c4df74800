package io.longlink.conn.web.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.longlink.conn.codec.FrameException;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.Ping;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Platform;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonFramesTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static String encode(FrameType type, com.google.protobuf.MessageLite body) {
        ByteBuf frame = Frames.encode(ALLOC, type, body);
        try {
            ByteBuf json = JsonFrames.encode(ALLOC, frame);
            try {
                assertThat(frame.readerIndex()).as("the frame's indexes are left alone").isZero();
                return json.toString(StandardCharsets.UTF_8);
            } finally {
                json.release();
            }
        } finally {
            frame.release();
        }
    }

    @Test
    void decode_whenConnectInDocumentedForm_thenConnectWith64BitIdFromString() throws Exception {
        Object frame = JsonFrames.decode("{\"type\":\"CONNECT\",\"protocolVersion\":1,\"appKey\":\"demo\","
                + "\"deviceId\":\"d1\",\"token\":\"t\",\"platform\":\"WEB\",\"lastMessageId\":\"18446744073709551615\","
                + "\"someFutureField\":true}");

        assertThat(frame).isEqualTo(Connect.newBuilder().setProtocolVersion(1).setAppKey("demo").setDeviceId("d1")
                .setToken("t").setPlatform(Platform.WEB).setLastMessageId(-1L).build());
    }

    @Test
    void decode_whenAckPingDisconnect_thenThoseFrames() throws Exception {
        assertThat(JsonFrames.decode("{\"type\":\"ACK\",\"messageIds\":[\"7301\",\"9223372036854775808\"]}"))
                .isEqualTo(Ack.newBuilder().addMessageIds(7301).addMessageIds(Long.MIN_VALUE).build());
        assertThat(JsonFrames.decode("{\"type\":\"PING\"}")).isSameAs(Ping.INSTANCE);
        assertThat(JsonFrames.decode("{\"type\":\"DISCONNECT\",\"reason\":\"bye\"}"))
                .isEqualTo(Disconnect.newBuilder().setReason("bye").build());
    }

    @Test
    void decode_whenNotJsonOrWrongTypes_thenMalformedFrame() {
        for (String bad : new String[] {"not json", "[1,2]", "{\"type\":3}", "{\"appKey\":\"x\"}",
                "{\"type\":\"ACK\",\"messageIds\":\"7301\"}", "{\"type\":\"CONNECT\",\"protocolVersion\":\"one\"}",
                "{\"type\":\"CONNECT\"", ""}) {
            assertThatThrownBy(() -> JsonFrames.decode(bad)).as(bad).isInstanceOf(FrameException.class)
                    .extracting(e -> ((FrameException) e).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        }
    }

    @Test
    void decode_whenServerOnlyOrUnknownType_thenMalformedFrameSayingSo() {
        assertThatThrownBy(() -> JsonFrames.decode("{\"type\":\"PUSH\"}")).isInstanceOf(FrameException.class)
                .hasMessage("frame type PUSH is sent by the server only");
        assertThatThrownBy(() -> JsonFrames.decode("{\"type\":\"HELLO\"}")).isInstanceOf(FrameException.class)
                .hasMessage("unknown frame type \"HELLO\"");
    }

    @Test
    void encode_whenPush_thenDocumentedFormThatProtobufParsesBackToTheSamePush() throws Exception {
        Push push = Push.newBuilder().setMessageId(-2L).setPayload(ByteString.copyFromUtf8("hi"))
                .setNotification(Notification.newBuilder().setTitle("T \"q\"\n").setBody("b\u0001\u2028"))
                .setCollapseKey("k\\").setExpiresAtMs(1_733_000_000_123L).setSentAtMs(1_733_000_000_000L).build();

        String json = encode(FrameType.PUSH, push);

        assertThat(json).startsWith("{\"type\":\"PUSH\",\"messageId\":\"18446744073709551614\",\"payload\":\"aGk=\"");
        Push.Builder back = Push.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(json, back);
        assertThat(back.build()).isEqualTo(push);
    }

    @Test
    void encode_whenPushesAlternateWithTheSameLength_thenEachItsOwnForm() {
        // one printed form is kept per thread, known by the frame's bytes: equal lengths must not mix up
        for (int round = 0; round < 2; round++) {
            assertThat(encode(FrameType.PUSH, Push.newBuilder().setMessageId(11).build()))
                    .isEqualTo("{\"type\":\"PUSH\",\"messageId\":\"11\"}");
            assertThat(encode(FrameType.PUSH, Push.newBuilder().setMessageId(12).build()))
                    .isEqualTo("{\"type\":\"PUSH\",\"messageId\":\"12\"}");
            assertThat(encode(FrameType.PUSH, Push.newBuilder().setMessageId(12).build()))
                    .isEqualTo("{\"type\":\"PUSH\",\"messageId\":\"12\"}");
        }
    }

    @Test
    void encode_whenMinimalPush_thenOnlyTypeAndId() {
        assertThat(encode(FrameType.PUSH, Push.newBuilder().setMessageId(7).build()))
                .isEqualTo("{\"type\":\"PUSH\",\"messageId\":\"7\"}");
    }

    @Test
    void encode_whenOtherServerFrames_thenTypeFirstAndCanonicalFields() {
        assertThat(encode(FrameType.ERROR, io.longlink.proto.device.Error.newBuilder().setCode(ErrorCode.KICKED)
                .setReason("r").build())).isEqualTo("{\"type\":\"ERROR\",\"code\":\"KICKED\",\"reason\":\"r\"}");
        assertThat(encode(FrameType.REDIRECT, Redirect.newBuilder().addAddresses("h:1").setRetryAfterMs(5).build()))
                .isEqualTo("{\"type\":\"REDIRECT\",\"addresses\":[\"h:1\"],\"retryAfterMs\":5,\"reason\":\"\"}");
        assertThat(encode(FrameType.CONNACK, ConnAck.newBuilder().setSessionId("ab").setServerTimeMs(12).build()))
                .contains("\"type\":\"CONNACK\",\"code\":\"OK\"", "\"sessionId\":\"ab\"", "\"serverTimeMs\":\"12\"");
    }

    @Test
    void encode_whenPong_thenTypeOnly() {
        ByteBuf json = JsonFrames.encode(ALLOC, Frames.PONG.duplicate());
        try {
            assertThat(json.toString(StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"PONG\"}");
        } finally {
            json.release();
        }
    }
}
