package io.longlink.loadtest.unicast.tally;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;

/**
 * The devices' recorders merged into one view, and the figures of a run computed from it and
 * from the ids the API accepted: acknowledged pushes per second over the measured window,
 * accept-to-device latency of the measured pushes, duplicates, and {@code lost} (accepted, never
 * received).
 */
public final class DeliveryTally {
    /** Most lost ids listed in a report (all are counted). */
    static final int MAX_LOST_IDS = 10_000;

    private final long epochMs;
    private final LatencyHistogram warmup;
    private final LatencyHistogram measured;
    private final long[] ackBuckets;
    private final long[] maxLatencyBuckets;
    // guarded by this: recorders are merged from their own loops, several at once
    private long[] ids = new long[0];
    private int idCount;
    private long outsideBuckets;
    private long unknownPhase;
    private long refused;
    private int recorders;

    public DeliveryTally(long epochMs, long spanMs) {
        this.epochMs = epochMs;
        this.warmup = new LatencyHistogram(spanMs);
        this.measured = new LatencyHistogram(spanMs);
        this.ackBuckets = new long[(int) (spanMs / DeliveryRecorder.BUCKET_MS)];
        this.maxLatencyBuckets = new long[ackBuckets.length];
    }

    /** Merges one recorder; call it on the recorder's own loop so its state is read on the thread that wrote it. */
    public synchronized void add(DeliveryRecorder r) {
        requireNonNull(r, "r");
        if (r.epochMs() != epochMs || r.ackBuckets().length != ackBuckets.length) {
            throw new IllegalArgumentException("recorder: another epoch or span than this tally");
        }
        LongList more = r.ids();
        if (idCount + more.size() > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(idCount + more.size(), 2 * ids.length));
        }
        idCount = more.copyInto(ids, idCount);
        warmup.add(r.warmup());
        measured.add(r.measured());
        long[] b = r.ackBuckets();
        long[] m = r.maxLatencyBuckets();
        for (int i = 0; i < b.length; i++) {
            ackBuckets[i] += b[i];
            maxLatencyBuckets[i] = Math.max(maxLatencyBuckets[i], m[i]);
        }
        outsideBuckets += r.outsideBuckets();
        unknownPhase += r.unknownPhase();
        refused += more.refused();
        recorders++;
    }

    public synchronized int recorders() {
        return recorders;
    }

    /** Pushes received, duplicates included. */
    public synchronized long received() {
        return idCount;
    }

    /**
     * The highest latency received in each second from {@code fromMs} to {@code toMs} (epoch ms, by
     * receive time), in ms: shows whether a high p99 comes from a few stalls or from the whole window.
     */
    public synchronized long[] maxLatencyPerSecond(long fromMs, long toMs) {
        int perSecond = (int) (1000 / DeliveryRecorder.BUCKET_MS);
        long first = Math.max(0, Math.floorDiv(fromMs - epochMs, DeliveryRecorder.BUCKET_MS));
        long end = Math.min(maxLatencyBuckets.length, Math.floorDiv(toMs - epochMs, DeliveryRecorder.BUCKET_MS));
        int seconds = (int) Math.max(0, (end - first + perSecond - 1) / perSecond);
        long[] out = new long[seconds];
        for (long i = first; i < end; i++) {
            int s = (int) ((i - first) / perSecond);
            out[s] = Math.max(out[s], maxLatencyBuckets[(int) i]);
        }
        return out;
    }

    /**
     * The figures of the run.
     *
     * @param accepted      ids the API answered, in any order; sorted in place
     * @param acceptedCount how many of {@code accepted} are valid
     * @param windowStartMs start of the measured window (epoch ms)
     * @param windowEndMs   its end
     */
    public synchronized Report report(long[] accepted, int acceptedCount, long windowStartMs, long windowEndMs) {
        requireNonNull(accepted, "accepted");
        if (windowEndMs <= windowStartMs) {
            throw new IllegalArgumentException("window: " + windowStartMs + ".." + windowEndMs
                    + " (expected: end after start)");
        }
        long[] received = Arrays.copyOf(ids, idCount);
        int distinct = IdSets.sortDistinct(received, received.length);
        int acceptedDistinct = IdSets.sortDistinct(accepted, acceptedCount);
        IdSets.Difference diff = IdSets.difference(accepted, acceptedDistinct, received, distinct, MAX_LOST_IDS);

        // only whole buckets inside the window count, and the window is measured by them
        long first = Math.max(0, Math.floorDiv(windowStartMs - epochMs + DeliveryRecorder.BUCKET_MS - 1,
                DeliveryRecorder.BUCKET_MS));
        long end = Math.min(ackBuckets.length, Math.floorDiv(windowEndMs - epochMs, DeliveryRecorder.BUCKET_MS));
        long acks = 0;
        for (long i = first; i < end; i++) {
            acks += ackBuckets[(int) i];
        }
        double seconds = Math.max(0, end - first) * DeliveryRecorder.BUCKET_MS / 1000.0;
        return new Report(idCount, distinct, idCount - distinct, acceptedDistinct, diff.onlyInFirst(),
                diff.onlyInSecond(), diff.examples(), acks, seconds, seconds == 0 ? 0 : acks / seconds,
                measured.count(), measured.quantile(0.50), measured.quantile(0.99), measured.quantile(0.999),
                measured.max(), warmup.count(), warmup.quantile(0.99), unknownPhase, refused, outsideBuckets);
    }

    /**
     * @param received       pushes received, duplicates included
     * @param distinct       distinct ids received
     * @param duplicates     received - distinct (at-least-once redeliveries)
     * @param accepted       distinct ids the API accepted
     * @param lost           accepted and never received
     * @param unexpected     received but not among the accepted ids (e.g. a call that timed out at the
     *                       client after the API had accepted it)
     * @param lostIds        the first {@link #MAX_LOST_IDS} lost ids, smallest first
     * @param windowAcks     pushes acknowledged inside the measured window
     * @param windowSeconds  the window's length, in whole buckets
     * @param ackedPerSecond windowAcks / windowSeconds
     */
    public record Report(long received, long distinct, long duplicates, long accepted, long lost, long unexpected,
                         List<Long> lostIds, long windowAcks, double windowSeconds, double ackedPerSecond,
                         long measuredCount, long p50Ms, long p99Ms, long p999Ms, long maxMs, long warmupCount,
                         long warmupP99Ms, long unknownPhase, long refused, long outsideWindow) {
        public Report {
            lostIds = List.copyOf(lostIds);
        }
    }
}
