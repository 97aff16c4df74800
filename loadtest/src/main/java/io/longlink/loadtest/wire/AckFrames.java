package io.longlink.loadtest.wire;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes one ACK frame for a batch of message ids straight into a pooled buffer: the body is
 * {@code Ack} with its repeated fixed64 ids packed (field 1, wire type 2), which is what protobuf
 * writes for proto3 too. No message object and no array copy per batch.
 */
public final class AckFrames {
    /** Field 1, wire type 2 (length-delimited): the packed {@code message_ids}. */
    private static final int PACKED_IDS_TAG = (1 << 3) | 2;

    private AckFrames() {
    }

    /** An ACK frame for {@code ids[0..count)}; {@code count} must be at least 1. */
    public static ByteBuf encode(ByteBufAllocator alloc, long[] ids, int count) {
        requireNonNull(alloc, "alloc");
        requireNonNull(ids, "ids");
        if (count < 1 || count > ids.length) {
            throw new IllegalArgumentException("count: " + count + " (expected: 1.." + ids.length + ")");
        }
        int idBytes = count * Long.BYTES;
        int body = 1 + FrameCodec.varintSize(idBytes) + idBytes;
        ByteBuf out = alloc.buffer(1 + FrameCodec.varintSize(body) + body);
        out.writeByte(FrameType.ACK.getNumber());
        writeVarint(out, body);
        out.writeByte(PACKED_IDS_TAG);
        writeVarint(out, idBytes);
        for (int i = 0; i < count; i++) {
            out.writeLongLE(ids[i]);
        }
        return out;
    }

    private static void writeVarint(ByteBuf out, int v) {
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }
}
