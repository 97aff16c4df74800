package io.longlink.sdk.wire;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frames from a blocking stream. The declared body length is checked against the limit before
 * any body byte is read, so a peer can never make the reader buffer more than the limit. Not
 * thread-safe: one reading thread per stream.
 */
public final class FrameReader {
    /** Bodies up to this size reuse one buffer; larger ones (rare) get a buffer of their own. */
    private static final int RETAINED_BUFFER_LIMIT = 64 * 1024;

    private final InputStream in;
    private final int maxBodySize;
    private byte[] buffer = new byte[512];

    /** {@code in} should be buffered: the header is read byte by byte. */
    public FrameReader(InputStream in, int maxBodySize) {
        this.in = requireNonNull(in, "in");
        if (maxBodySize < 0) {
            throw new IllegalArgumentException("maxBodySize: " + maxBodySize + " (expected >= 0)");
        }
        this.maxBodySize = maxBodySize;
    }

    /**
     * The next frame, or null when the stream ended cleanly between frames.
     *
     * @throws FrameException MALFORMED_FRAME (unknown type, bad varint, stream ended inside a frame,
     *                        body that does not parse) or FRAME_TOO_LARGE (declared length over the limit)
     */
    public Frame read() throws IOException {
        int typeByte = in.read();
        if (typeByte < 0) {
            return null;
        }
        FrameType type = Frames.typeOf(typeByte);
        if (type == null) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, "unknown frame type " + typeByte);
        }
        int length = readLength(type);
        if (length > maxBodySize) {
            throw new FrameException(ErrorCode.FRAME_TOO_LARGE, type + " frame body of " + length
                    + " bytes exceeds the limit of " + maxBodySize + " bytes");
        }
        if (Frames.hasEmptyBody(type) && length != 0) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, type + " frame must have an empty body, got "
                    + length + " bytes");
        }
        byte[] body = bufferFor(length);
        readFully(body, length, type);
        try {
            Message message = Frames.parseBody(type, body, length);
            return new Frame(type, message);
        } catch (InvalidProtocolBufferException e) {
            throw new FrameException(ErrorCode.MALFORMED_FRAME, type + " frame body does not parse: "
                    + e.getMessage(), e);
        }
    }

    private int readLength(FrameType type) throws IOException {
        int value = 0;
        for (int i = 0; i < 5; i++) {
            int b = in.read();
            if (b < 0) {
                throw new FrameException(ErrorCode.MALFORMED_FRAME, "stream ended inside the length of a "
                        + type + " frame");
            }
            if (i == 4 && (b & 0xF0) != 0) {
                // The fifth byte may carry only the top four bits of a 32-bit length.
                break;
            }
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    break;
                }
                return value;
            }
        }
        throw new FrameException(ErrorCode.MALFORMED_FRAME, "bad length varint in a " + type + " frame");
    }

    private byte[] bufferFor(int length) {
        if (length <= buffer.length) {
            return buffer;
        }
        if (length > RETAINED_BUFFER_LIMIT) {
            return new byte[length];
        }
        buffer = new byte[Math.min(RETAINED_BUFFER_LIMIT, Math.max(length, buffer.length * 2))];
        return buffer;
    }

    private void readFully(byte[] into, int length, FrameType type) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(into, done, length - done);
            if (n < 0) {
                throw new FrameException(ErrorCode.MALFORMED_FRAME, "stream ended inside a " + type
                        + " frame body (" + done + " of " + length + " bytes)");
            }
            done += n;
        }
    }
}
