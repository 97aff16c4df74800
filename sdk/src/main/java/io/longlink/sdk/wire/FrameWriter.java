package io.longlink.sdk.wire;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.longlink.proto.device.FrameType;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes frames into one reused buffer and writes each frame with a single call, so a frame never
 * goes out as several small TCP segments or TLS records. Not thread-safe: callers serialise writes.
 */
public final class FrameWriter {
    private byte[] buffer = new byte[256];

    /** Writes one frame and flushes. */
    public void write(OutputStream out, FrameType type, Message body) throws IOException {
        requireNonNull(out, "out");
        int length = encode(type, body);
        out.write(buffer, 0, length);
        out.flush();
    }

    /** The frame's bytes in a new array (tests and tools; the write path reuses its buffer). */
    public static byte[] toBytes(FrameType type, Message body) {
        FrameWriter writer = new FrameWriter();
        int length = writer.encode(type, body);
        byte[] copy = new byte[length];
        System.arraycopy(writer.buffer, 0, copy, 0, length);
        return copy;
    }

    private int encode(FrameType type, Message body) {
        requireNonNull(type, "type");
        requireNonNull(body, "body");
        if (!Frames.matches(type, body)) {
            throw new IllegalArgumentException(type + " frame cannot carry " + body.getClass().getSimpleName());
        }
        int bodySize = body.getSerializedSize();
        int total = 1 + CodedOutputStream.computeUInt32SizeNoTag(bodySize) + bodySize;
        if (total > buffer.length) {
            buffer = new byte[Math.max(total, buffer.length * 2)];
        }
        CodedOutputStream out = CodedOutputStream.newInstance(buffer, 0, total);
        try {
            out.write((byte) type.getNumber());
            out.writeUInt32NoTag(bodySize);
            body.writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            // An array-backed stream sized from getSerializedSize() cannot run out of space.
            throw new IllegalStateException("frame encoding overflowed its computed size", e);
        }
        return total;
    }
}
