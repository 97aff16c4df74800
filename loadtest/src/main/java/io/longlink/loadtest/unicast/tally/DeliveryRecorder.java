package io.longlink.loadtest.unicast.tally;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.client.PushListener;
import java.util.function.LongSupplier;

/**
 * What the devices of one event loop received: every message id (duplicates included), the
 * API-accept-to-device latency of each push per phase (a {@link LatencyHistogram} each, up to the
 * span), and how many pushes were acknowledged in each {@link #BUCKET_MS} slice of the run. The ACK
 * of a push leaves in the same read burst, so the receive time is its acknowledgement time. Used only
 * on its loop's thread.
 */
public final class DeliveryRecorder implements PushListener {
    public static final long BUCKET_MS = 100;

    private final LongSupplier clockMs;
    private final long epochMs;
    private final LongList ids;
    private final LatencyHistogram warmup;
    private final LatencyHistogram measured;
    private final long[] ackBuckets;
    /** Highest latency received in each ack bucket, warm-up and measured alike. */
    private final long[] maxLatencyBuckets;
    private long outsideBuckets;
    private long unknownPhase;

    /**
     * @param epochMs      start of the first ack bucket (epoch ms)
     * @param spanMs       how long after {@code epochMs} acks are counted per bucket
     * @param maxIds       most ids kept; more are refused and counted
     */
    public DeliveryRecorder(LongSupplier clockMs, long epochMs, long spanMs, int maxIds) {
        this.clockMs = requireNonNull(clockMs, "clockMs");
        if (spanMs < BUCKET_MS || spanMs > 86_400_000L) {
            throw new IllegalArgumentException("spanMs: " + spanMs + " (expected: " + BUCKET_MS + "..86400000)");
        }
        this.epochMs = epochMs;
        this.ids = new LongList(Math.min(maxIds, 4_096), maxIds);
        // every push is sent and received inside the span: no latency is longer
        this.warmup = new LatencyHistogram(spanMs);
        this.measured = new LatencyHistogram(spanMs);
        this.ackBuckets = new long[(int) (spanMs / BUCKET_MS)];
        this.maxLatencyBuckets = new long[ackBuckets.length];
    }

    @Override
    public void onPush(long messageId, long sentAtMs, int firstPayloadByte) {
        long now = clockMs.getAsLong();
        ids.add(messageId);
        long slot = Math.floorDiv(now - epochMs, BUCKET_MS);
        if (slot >= 0 && slot < ackBuckets.length) {
            ackBuckets[(int) slot]++;
            maxLatencyBuckets[(int) slot] = Math.max(maxLatencyBuckets[(int) slot], now - sentAtMs);
        } else {
            outsideBuckets++;
        }
        switch (firstPayloadByte) {
            case PushPhase.MEASURED -> measured.record(now - sentAtMs);
            case PushPhase.WARMUP -> warmup.record(now - sentAtMs);
            default -> unknownPhase++;
        }
    }

    long epochMs() {
        return epochMs;
    }

    LongList ids() {
        return ids;
    }

    LatencyHistogram warmup() {
        return warmup;
    }

    LatencyHistogram measured() {
        return measured;
    }

    long[] ackBuckets() {
        return ackBuckets;
    }

    long[] maxLatencyBuckets() {
        return maxLatencyBuckets;
    }

    long outsideBuckets() {
        return outsideBuckets;
    }

    long unknownPhase() {
        return unknownPhase;
    }

    /** Ids received so far, duplicates included. */
    public int received() {
        return ids.size();
    }
}
