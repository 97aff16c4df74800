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
    private static final long INCOMPLETE = -1;
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
        long header;
        try {
            header = readHeader(in, start, end, maxFrameBytes);
        } catch (FrameException e) {
            fail(ctx, in, e.code(), e.getMessage());
            return;
        }
        if (header == INCOMPLETE) {
            return; // header not complete yet: at most 6 bytes wait here
        }
        int i = (int) (header >>> 32);
        int length = (int) header;
        if (end - i < length) {
            return; // body not complete yet; bounded by maxFrameBytes
        }
        in.readerIndex(i + length);
        int type = in.getUnsignedByte(start);
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

    /**
     * Decodes a buffer that must hold exactly one whole device frame (a WebSocket binary message), with
     * the same checks as the stream decoder. Reads with absolute indexes: the buffer is left as it was.
     */
    public static Object decodeWhole(ByteBuf frame, int maxFrameBytes) throws FrameException {
        int start = frame.readerIndex();
        int end = frame.writerIndex();
        if (start == end) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "empty message: it must carry one whole frame");
        }
        long header = readHeader(frame, start, end, maxFrameBytes);
        int i = (int) (header >>> 32);
        int length = (int) header;
        if (header == INCOMPLETE || end - i != length) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "a message must carry exactly one whole frame");
        }
        int type = frame.getUnsignedByte(start);
        try {
            return parse(type, frame, i, length);
        } catch (IOException e) { // InvalidProtocolBufferException: the body is not the message it claims
            throw new FrameException(ErrorCode.MALFORMED_FRAME, FrameType.forNumber(type) + " body does not parse: "
                    + e.getMessage());
        }
    }

    /**
     * Checks the header at {@code start}: a device frame type, a varint of at most 5 bytes, a length within
     * the limit.
     *
     * @return the body's index in the high 32 bits and its length in the low 32, or {@link #INCOMPLETE}
     */
    private static long readHeader(ByteBuf in, int start, int end, int maxFrameBytes) throws FrameException {
        int type = in.getUnsignedByte(start);
        if (!isDeviceFrame(type)) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, describeType(type));
        }
        int length = 0;
        int i = start + 1;
        for (int shift = 0; ; shift += 7) {
            if (i == end) {
                return INCOMPLETE;
            }
            byte b = in.getByte(i++);
            if (shift == 28) {
                if (b < 0) {
                    throw new FrameException(ErrorCode.MALFORMED_FRAME, "frame length varint is longer than 5 bytes");
                }
                if ((b & 0x70) != 0) {
                    throw new FrameException(ErrorCode.FRAME_TOO_LARGE, "frame length does not fit in 32 bits (limit "
                            + maxFrameBytes + " bytes)");
                }
            }
            length |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        if (length < 0 || length > maxFrameBytes) {
            throw new FrameException(ErrorCode.FRAME_TOO_LARGE, "frame body of " + Integer.toUnsignedString(length)
                    + " bytes is over the limit of " + maxFrameBytes);
        }
        return ((long) i << 32) | length;
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
