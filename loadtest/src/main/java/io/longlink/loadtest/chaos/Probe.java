package io.longlink.loadtest.chaos;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;

/**
 * The payload of a chaos push: its kind, the caller that sent it and that caller's sequence number,
 * so a device can tell what it was shown without a lookup. 11 bytes.
 */
record Probe(PushKind kind, int caller, long seq) {
    static final int BYTES = 11;
    /** Message ids carry the api-node's milliseconds since 2024-01-01T00:00Z above 22 bits of worker and sequence. */
    private static final long ID_EPOCH_MS = 1_704_067_200_000L;
    private static final int ID_TIME_SHIFT = 22;

    ByteString encode() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.put((byte) kind.ordinal()).putShort((short) caller).putLong(seq);
        return ByteString.copyFrom(b.array());
    }

    /** The probe in {@code payload}, or null when it is not one. */
    static Probe decode(ByteString payload) {
        if (payload.size() != BYTES) {
            return null;
        }
        ByteBuffer b = payload.asReadOnlyByteBuffer();
        PushKind kind = PushKind.of(b.get());
        return kind == null ? null : new Probe(kind, b.getShort() & 0xffff, b.getLong());
    }

    /** Epoch millis at which the api-node gave out {@code messageId}: within milliseconds of acceptance. */
    static long idMillis(long messageId) {
        return (messageId >>> ID_TIME_SHIFT) + ID_EPOCH_MS;
    }
}
