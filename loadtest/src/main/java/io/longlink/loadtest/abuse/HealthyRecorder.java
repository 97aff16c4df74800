package io.longlink.loadtest.abuse;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.client.PushListener;
import io.longlink.loadtest.unicast.tally.LatencyHistogram;
import io.longlink.loadtest.unicast.tally.LongList;
import java.util.function.LongSupplier;

/**
 * What the healthy devices of one event loop received: every message id (duplicates included) and
 * the API-accept-to-device latency of the pushes sent in the baseline and in the attack phase, told
 * apart by the payload's first byte. Used only on its loop's thread; {@link HealthyTally} merges.
 */
final class HealthyRecorder implements PushListener {
    /** Payload first bytes: the phase the push was sent in; only baseline and attack pushes are measured. */
    static final int WARMUP = 1;
    static final int BASELINE = 2;
    static final int ATTACK = 3;
    /** Around the heap probes (a full GC on the node) and after the attack. */
    static final int BETWEEN = 4;

    private final LongSupplier clockMs;
    final LongList ids;
    final LatencyHistogram baseline;
    final LatencyHistogram attack;
    /** Per second of sending ({@code sentAtMs / 1000} modulo {@link #SECONDS}): the worst latency, where the tail is. */
    final long[] worstBySecond = new long[SECONDS];
    static final int SECONDS = 1_024;

    HealthyRecorder(LongSupplier clockMs, long highestMs, int maxIds) {
        this.clockMs = requireNonNull(clockMs, "clockMs");
        this.ids = new LongList(Math.min(maxIds, 4_096), maxIds);
        this.baseline = new LatencyHistogram(highestMs);
        this.attack = new LatencyHistogram(highestMs);
    }

    @Override
    public void onPush(long messageId, long sentAtMs, int firstPayloadByte) {
        ids.add(messageId);
        int second = (int) Math.floorMod(sentAtMs / 1_000, (long) SECONDS);
        worstBySecond[second] = Math.max(worstBySecond[second], clockMs.getAsLong() - sentAtMs);
        if (firstPayloadByte == BASELINE) {
            baseline.record(clockMs.getAsLong() - sentAtMs);
        } else if (firstPayloadByte == ATTACK) {
            attack.record(clockMs.getAsLong() - sentAtMs);
        }
    }
}
