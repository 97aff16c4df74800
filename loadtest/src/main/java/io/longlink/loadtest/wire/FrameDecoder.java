package io.longlink.loadtest.wire;

import io.longlink.proto.device.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the inbound byte stream into {@link Frame}s. The declared body length is checked against
 * the limit as soon as its varint is complete, before any body byte is waited for, so a peer can
 * never make this side buffer more than the limit. After the first bad frame every further byte is
 * discarded: the stream has lost its framing and the handler closes the connection.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxBodyBytes;
    private boolean failed;

    public FrameDecoder(int maxBodyBytes) {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0)");
        }
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Frame frame;
            while ((frame = next(in, maxBodyBytes)) != null) {
                out.add(frame);
            }
        } catch (FrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /**
     * Reads one whole frame from {@code in}, or returns null and consumes nothing when the frame
     * is not complete yet.
     *
     * @throws FrameException when the length varint is malformed or over {@code maxBodyBytes}
     */
    public static Frame next(ByteBuf in, int maxBodyBytes) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (end - start < 2) {
            return null;
        }
        int type = in.getUnsignedByte(start);
        int pos = start + 1;
        long length = 0;
        for (int i = 0; ; i++) {
            if (pos >= end) {
                return null;
            }
            byte b = in.getByte(pos++);
            length |= (long) (b & 0x7F) << (7 * i);
            if (b >= 0) {
                break;
            }
            if (i == FrameCodec.MAX_VARINT_BYTES - 1) {
                throw new FrameException(ErrorCode.MALFORMED_FRAME,
                        "body length varint longer than " + FrameCodec.MAX_VARINT_BYTES + " bytes");
            }
        }
        if (length > maxBodyBytes) {
            throw new FrameException(ErrorCode.FRAME_TOO_LARGE,
                    "declared body length " + length + " over the limit of " + maxBodyBytes + " bytes");
        }
        int bodyLength = (int) length;
        if (end - pos < bodyLength) {
            return null;
        }
        byte[] body = bodyLength == 0 ? Frame.EMPTY : new byte[bodyLength];
        in.getBytes(pos, body);
        in.readerIndex(pos + bodyLength);
        return new Frame(type, body);
    }
}
