package io.longlink.loadtest.unicast.tally;

import java.util.Arrays;

/**
 * The first payload byte of every benchmark push says in which phase the load generator sent it,
 * so the devices can keep warm-up pushes out of the measured latency without sharing a clock
 * reading with the generator.
 */
public final class PushPhase {
    public static final int WARMUP = 1;
    public static final int MEASURED = 2;

    private PushPhase() {
    }

    /** A payload of {@code size} bytes (at least 1) whose first byte is {@code phase}. */
    public static byte[] payload(int phase, int size) {
        if (phase != WARMUP && phase != MEASURED) {
            throw new IllegalArgumentException("phase: " + phase + " (expected: " + WARMUP + " or " + MEASURED + ")");
        }
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
        }
        byte[] out = new byte[size];
        Arrays.fill(out, (byte) 'x');
        out[0] = (byte) phase;
        return out;
    }
}
