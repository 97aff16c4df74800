package io.longlink.loadtest.wire;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.MessageLite;
import io.longlink.proto.device.FrameType;

/**
 * Encodes device frames: {@code [1 byte frame type][varint32 body length][body]}, the layout of
 * proto/src/main/proto/longlink/device.proto. Frames are built once as byte arrays (CONNECT frames
 * before a connect phase, PING once) so sending one costs a wrap, not an encode.
 */
public final class FrameCodec {
    /** The largest varint32 takes five bytes. */
    static final int MAX_VARINT_BYTES = 5;

    private static final byte[] PING = frame(FrameType.PING, Frame.EMPTY);

    private FrameCodec() {
    }

    public static byte[] frame(FrameType type, MessageLite body) {
        requireNonNull(body, "body");
        return frame(type, body.toByteArray());
    }

    public static byte[] frame(FrameType type, byte[] body) {
        requireNonNull(type, "type");
        requireNonNull(body, "body");
        if (type == FrameType.UNRECOGNIZED) {
            throw new IllegalArgumentException("type: UNRECOGNIZED (expected: a FrameType with a number)");
        }
        int lengthBytes = varintSize(body.length);
        byte[] out = new byte[1 + lengthBytes + body.length];
        out[0] = (byte) type.getNumber();
        int pos = 1;
        int v = body.length;
        while ((v & ~0x7F) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        System.arraycopy(body, 0, out, pos, body.length);
        return out;
    }

    /** The PING frame (empty body); shared, never modify. */
    public static byte[] ping() {
        return PING;
    }

    static int varintSize(int value) {
        if (value < 0) {
            return MAX_VARINT_BYTES;
        }
        int size = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }
}
