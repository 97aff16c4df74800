package io.longlink.conn.codec;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedInputStream;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.util.List;

/**
 * Turns device bytes into {@link Connect}, {@link Ping}, {@link Ack} and {@link Disconnect}.
 *
 * <p>The type byte and the length are checked as soon as they arrive, before any body byte is
 * buffered: an unknown or server-only type, a varint longer than 5 bytes or a length over
 * {@code maxFrameBytes} is refused through {@link FrameErrorSink} (ERROR, then close) and every
 * later byte is discarded. So the most this decoder ever holds is one header plus
 * {@code maxFrameBytes}.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private final FrameErrorSink errors;
    private boolean failed;

    public FrameDecoder(int maxFrameBytes, FrameErrorSink errors) {
        this.maxFrameBytes = maxFrameBytes;
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start == end) {
            return;
        }
        int type = in.getUnsignedByte(start);
        if (!isDeviceFrame(type)) {
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, describeType(type));
            return;
        }
        int length = 0;
        int i = start + 1;
        for (int shift = 0; ; shift += 7) {
            if (i == end) {
                return; // header not complete yet: at most 6 bytes wait here
            }
            byte b = in.getByte(i++);
            if (shift == 28) {
                if (b < 0) {
                    fail(ctx, in, ErrorCode.MALFORMED_FRAME, "frame length varint is longer than 5 bytes");
                    return;
                }
                if ((b & 0x70) != 0) {
                    fail(ctx, in, ErrorCode.FRAME_TOO_LARGE, "frame length does not fit in 32 bits (limit "
                            + maxFrameBytes + " bytes)");
                    return;
                }
            }
            length |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        if (length < 0 || length > maxFrameBytes) {
            fail(ctx, in, ErrorCode.FRAME_TOO_LARGE, "frame body of " + Integer.toUnsignedString(length)
                    + " bytes is over the limit of " + maxFrameBytes);
            return;
        }
        if (end - i < length) {
            return; // body not complete yet; bounded by maxFrameBytes
        }
        in.readerIndex(i + length);
        Object frame;
        try {
            frame = parse(type, in, i, length);
        } catch (IOException e) { // InvalidProtocolBufferException: the body is not the message it claims
            fail(ctx, in, ErrorCode.MALFORMED_FRAME, FrameType.forNumber(type) + " body does not parse: "
                    + e.getMessage());
            return;
        }
        out.add(frame);
    }

    private static Object parse(int type, ByteBuf in, int index, int length) throws IOException {
        return switch (type) {
            case FrameType.PING_VALUE -> Ping.INSTANCE; // a body, if any, is ignored (room for later fields)
            case FrameType.CONNECT_VALUE -> Connect.parseFrom(input(in, index, length));
            case FrameType.ACK_VALUE -> Ack.parseFrom(input(in, index, length));
            case FrameType.DISCONNECT_VALUE -> Disconnect.parseFrom(input(in, index, length));
            default -> throw new IllegalStateException("unchecked frame type " + type);
        };
    }

    private static CodedInputStream input(ByteBuf in, int index, int length) {
        if (in.hasArray()) {
            return CodedInputStream.newInstance(in.array(), in.arrayOffset() + index, length);
        }
        return CodedInputStream.newInstance(in.nioBuffer(index, length));
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ErrorCode code, String reason) {
        failed = true;
        in.skipBytes(in.readableBytes());
        errors.reject(ctx.channel(), code, reason);
    }

    /** Bytes waiting for the rest of their frame (at most one frame's header and body). */
    int heldBytes() {
        return actualReadableBytes();
    }

    /** The frame types a device may send. */
    static boolean isDeviceFrame(int type) {
        return type == FrameType.CONNECT_VALUE || type == FrameType.PING_VALUE || type == FrameType.ACK_VALUE
                || type == FrameType.DISCONNECT_VALUE;
    }

    private static String describeType(int type) {
        FrameType known = FrameType.forNumber(type);
        if (known == null || known == FrameType.FRAME_TYPE_UNSPECIFIED) {
            return "unknown frame type " + type;
        }
        return "frame type " + type + " (" + known + ") is sent by the server only";
    }
}
