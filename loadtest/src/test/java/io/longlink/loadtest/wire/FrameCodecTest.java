package io.longlink.loadtest.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final int MAX = 1_024;

    private static Object next(EmbeddedChannel ch) {
        return ch.readInbound();
    }

    @Test
    void encodeThenDecode_whenConnectFrame_thenSameTypeAndBody() throws Exception {
        Connect connect = Connect.newBuilder().setProtocolVersion(1).setAppKey("app-1").setDeviceId("dev-7")
                .setToken("v1.123.abc").setHeartbeatSeconds(1_800).build();
        byte[] wire = FrameCodec.frame(FrameType.CONNECT, connect);

        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX));
        ch.writeInbound(Unpooled.wrappedBuffer(wire));
        Frame frame = ch.readInbound();

        assertThat(frame.type()).isEqualTo(FrameType.CONNECT_VALUE);
        assertThat(Connect.parseFrom(frame.body())).isEqualTo(connect);
        assertThat(next(ch)).isNull();
    }

    @Test
    void encode_whenPing_thenTypeAndZeroLength() {
        assertThat(FrameCodec.ping()).containsExactly(FrameType.PING_VALUE, 0);
    }

    @Test
    void encode_whenBodyNeedsTwoLengthBytes_thenVarintLittleEndianGroups() {
        byte[] body = new byte[300];
        Arrays.fill(body, (byte) 7);
        byte[] wire = FrameCodec.frame(FrameType.PUSH, body);

        // 300 = 0b10_0101100: low group 0x2C with the continuation bit, then 0x02
        assertThat(wire).hasSize(1 + 2 + 300);
        assertThat(wire[0]).isEqualTo((byte) FrameType.PUSH_VALUE);
        assertThat(wire[1]).isEqualTo((byte) 0xAC);
        assertThat(wire[2]).isEqualTo((byte) 0x02);
        Frame decoded = FrameDecoder.next(Unpooled.wrappedBuffer(wire), MAX);
        assertThat(decoded.body()).isEqualTo(body);
    }

    @Test
    void decode_whenFrameArrivesOneByteAtATime_thenNothingUntilComplete() throws Exception {
        byte[] wire = FrameCodec.frame(FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.OK)
                .setSessionId("s-1").setHeartbeatSeconds(600).build());
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX));

        for (int i = 0; i < wire.length - 1; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
            assertThat(next(ch)).as("after %d of %d bytes", i + 1, wire.length).isNull();
        }
        ch.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1));

        Frame frame = ch.readInbound();
        assertThat(ConnAck.parseFrom(frame.body()).getSessionId()).isEqualTo("s-1");
    }

    @Test
    void next_whenBodyTruncated_thenNullAndNothingConsumed() {
        byte[] wire = FrameCodec.frame(FrameType.PUSH, new byte[] {1, 2, 3, 4, 5});
        ByteBuf in = Unpooled.wrappedBuffer(wire, 0, wire.length - 2);

        assertThat(FrameDecoder.next(in, MAX)).isNull();
        assertThat(in.readerIndex()).isZero();
    }

    @Test
    void next_whenLengthVarintTruncated_thenNull() {
        ByteBuf in = Unpooled.wrappedBuffer(new byte[] {(byte) FrameType.PUSH_VALUE, (byte) 0x80});

        assertThat(FrameDecoder.next(in, MAX)).isNull();
        assertThat(in.readerIndex()).isZero();
    }

    @Test
    void decode_whenTwoFramesInOneRead_thenBoth() {
        byte[] ping = FrameCodec.ping();
        byte[] pong = FrameCodec.frame(FrameType.PONG, new byte[0]);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX));

        ch.writeInbound(Unpooled.wrappedBuffer(ping, pong));

        assertThat(((Frame) ch.readInbound()).type()).isEqualTo(FrameType.PING_VALUE);
        assertThat(((Frame) ch.readInbound()).type()).isEqualTo(FrameType.PONG_VALUE);
    }

    @Test
    void decode_whenLengthExceedsLimit_thenFrameTooLargeBeforeBodyArrives() {
        // Only the header: a 2,000-byte body is declared but never sent.
        ByteBuf header = Unpooled.wrappedBuffer(new byte[] {(byte) FrameType.PUSH_VALUE, (byte) 0xD0, 0x0F});
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX));

        assertThatThrownBy(() -> ch.writeInbound(header))
                .isInstanceOfSatisfying(FrameException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
                    assertThat(e.getMessage()).contains("2000").contains("1024");
                });
    }

    @Test
    void decode_whenVarintLongerThanFiveBytes_thenMalformedAndLaterBytesDiscarded() {
        byte[] garbage = {(byte) FrameType.PUSH_VALUE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, 0x01};
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(Integer.MAX_VALUE));

        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(garbage)))
                .isInstanceOfSatisfying(FrameException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME));
        ch.writeInbound(Unpooled.wrappedBuffer(FrameCodec.ping()));
        assertThat(next(ch)).as("framing is lost after a bad frame").isNull();
    }

    @Test
    void frameException_isADecoderException_soNettyDoesNotWrapIt() {
        assertThat(new FrameException(ErrorCode.MALFORMED_FRAME, "x")).isInstanceOf(DecoderException.class);
    }
}
