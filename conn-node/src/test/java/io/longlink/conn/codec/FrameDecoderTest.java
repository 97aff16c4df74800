package io.longlink.conn.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Platform;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final int MAX = 1024;

    /** Stands in for the node's disconnect path: ERROR frame, then close. */
    private final List<ErrorCode> rejected = new ArrayList<>();
    private final FrameErrorSink sink = (Channel ch, ErrorCode code, String reason) -> {
        rejected.add(code);
        ch.writeAndFlush(Frames.error(ch.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    };

    private static Object inbound(EmbeddedChannel ch) {
        return ch.readInbound();
    }

    private static Object outbound(EmbeddedChannel ch) {
        return ch.readOutbound();
    }

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new FrameDecoder(MAX, sink));
    }

    private static Connect connect() {
        return Connect.newBuilder().setProtocolVersion(1).setAppKey("app").setDeviceId("dev-1").setToken("v1.1.x")
                .setClientVersion("test/1").setPlatform(Platform.ANDROID).setHeartbeatSeconds(60)
                .setLastMessageId(42).build();
    }

    private static ByteBuf encode(FrameType type, com.google.protobuf.MessageLite body) {
        return Frames.encode(ByteBufAllocator.DEFAULT, type, body);
    }

    private static Error readError(EmbeddedChannel ch) throws Exception {
        ByteBuf out = ch.readOutbound();
        assertThat(out).isNotNull();
        try {
            assertThat((int) out.readUnsignedByte()).isEqualTo(FrameType.ERROR_VALUE);
            int len = 0;
            for (int shift = 0; ; shift += 7) {
                int b = out.readUnsignedByte();
                len |= (b & 0x7F) << shift;
                if (b < 0x80) {
                    break;
                }
            }
            byte[] body = new byte[out.readableBytes()];
            out.readBytes(body);
            assertThat(body).hasSize(len);
            return Error.parseFrom(body);
        } finally {
            out.release();
        }
    }

    @Test
    void decode_whenFramesRoundTrip_thenSameMessagesInOrder() {
        EmbeddedChannel ch = channel();
        Ack ack = Ack.newBuilder().addMessageIds(7).addMessageIds(-1L).build();
        ByteBuf all = Unpooled.wrappedBuffer(encode(FrameType.CONNECT, connect()),
                Unpooled.wrappedBuffer(new byte[] {FrameType.PING_VALUE, 0}),
                encode(FrameType.ACK, ack),
                encode(FrameType.DISCONNECT, Disconnect.newBuilder().setReason("bye").build()));
        ch.writeInbound(all);

        assertThat(inbound(ch)).isEqualTo(connect());
        assertThat(inbound(ch)).isSameAs(Ping.INSTANCE);
        assertThat(inbound(ch)).isEqualTo(ack);
        assertThat(inbound(ch)).isEqualTo(Disconnect.newBuilder().setReason("bye").build());
        assertThat(rejected).isEmpty();
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void decode_whenFrameArrivesByteByByte_thenDecodedOnceComplete() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = encode(FrameType.CONNECT, connect());
        while (frame.isReadable()) {
            assertThat(inbound(ch)).isNull();
            ch.writeInbound(frame.readRetainedSlice(1));
        }
        frame.release();
        assertThat(inbound(ch)).isEqualTo(connect());
    }

    @Test
    void decode_whenLengthExceedsLimit_thenErrorFrameAndCloseBeforeBodyArrives() throws Exception {
        EmbeddedChannel ch = channel();
        ByteBuf header = Unpooled.buffer();
        header.writeByte(FrameType.CONNECT_VALUE);
        Frames.writeVarint32(header, MAX + 1);
        ch.writeInbound(header); // header only: the body is never awaited

        assertThat(rejected).containsExactly(ErrorCode.FRAME_TOO_LARGE);
        assertThat(readError(ch).getCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void decode_whenLengthIsAtLimit_thenAccepted() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = Unpooled.buffer();
        frame.writeByte(FrameType.PING_VALUE);
        Frames.writeVarint32(frame, MAX);
        frame.writeZero(MAX);
        ch.writeInbound(frame);
        assertThat(inbound(ch)).isSameAs(Ping.INSTANCE);
        assertThat(rejected).isEmpty();
    }

    @Test
    void decode_whenLengthOverflows32Bits_thenFrameTooLarge() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {FrameType.ACK_VALUE, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, 0x7F}));
        assertThat(readError(ch).getCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void decode_whenVarintLongerThanFiveBytes_thenMalformedAndClose() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {FrameType.ACK_VALUE, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}));
        assertThat(readError(ch).getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void decode_whenUnknownType_thenMalformedAtFirstByte() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xEE}));
        Error e = readError(ch);
        assertThat(e.getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(e.getReason()).contains("unknown frame type 238");
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void decode_whenServerOnlyType_thenMalformed() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {FrameType.PUSH_VALUE, 0}));
        Error e = readError(ch);
        assertThat(e.getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(e.getReason()).contains("PUSH").contains("server only");
    }

    @Test
    void decode_whenBodyIsGarbage_thenMalformedAndLaterBytesIgnored() throws Exception {
        EmbeddedChannel ch = channel();
        byte[] garbage = {FrameType.CONNECT_VALUE, 4, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        ch.writeInbound(Unpooled.wrappedBuffer(garbage));
        assertThat(readError(ch).getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(ch.isActive()).isFalse();
        assertThat(rejected).hasSize(1);
        assertThat(inbound(ch)).isNull();
    }

    @Test
    void decode_whenBodyTruncated_thenNothingDecodedAndNothingRejected() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = encode(FrameType.CONNECT, connect());
        ch.writeInbound(frame.readRetainedSlice(frame.readableBytes() - 3));
        frame.release();
        assertThat(inbound(ch)).isNull();
        assertThat(rejected).isEmpty();
        assertThat(ch.isActive()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void decode_whenValidFrameFollowedByGarbage_thenValidFrameDeliveredThenRejected() throws Exception {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {FrameType.PING_VALUE, 0, 0x00, 0x00}));
        assertThat(inbound(ch)).isSameAs(Ping.INSTANCE);
        assertThat(readError(ch).getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void encode_whenPong_thenSharedTwoByteFrame() {
        ByteBuf a = Frames.PONG.duplicate();
        assertThat(a.readableBytes()).isEqualTo(2);
        assertThat(a.getByte(0)).isEqualTo((byte) FrameType.PONG_VALUE);
        assertThat(a.getByte(1)).isZero();
        a.release();
        assertThat(Frames.PONG.refCnt()).isPositive();
    }

    @Test
    void encode_whenBodyNeedsMultiByteLength_thenLengthVarintIsCorrect() {
        Ack big = Ack.newBuilder().addAllMessageIds(java.util.stream.LongStream.range(0, 100).boxed().toList()).build();
        ByteBuf frame = encode(FrameType.ACK, big);
        EmbeddedChannel ch = channel();
        ch.writeInbound(frame);
        assertThat(inbound(ch)).isEqualTo(big);
    }
}
