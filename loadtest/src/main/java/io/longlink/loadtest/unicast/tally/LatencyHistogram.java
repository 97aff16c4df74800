package io.longlink.loadtest.unicast.tally;

/**
 * Latencies in whole milliseconds, one counter per millisecond up to a ceiling and one overflow
 * counter above it (whose largest value is kept), so recording never allocates and quantiles
 * below the ceiling are exact to the millisecond. Not thread-safe: one per event loop, merged at
 * the end.
 */
public final class LatencyHistogram {
    private final long[] counts;
    private long overflow;
    private long max;
    private long total;
    private long negative;

    /** Exact up to {@code ceilingMs} (inclusive); above it only counted, with the maximum kept. */
    public LatencyHistogram(int ceilingMs) {
        if (ceilingMs < 1 || ceilingMs > 3_600_000) {
            throw new IllegalArgumentException("ceilingMs: " + ceilingMs + " (expected: 1..3600000)");
        }
        this.counts = new long[ceilingMs + 1];
    }

    /**
     * Records one latency. A negative value (the device's clock read before the server's, within
     * the same millisecond tick) counts as 0 and is also counted in {@link #negative()}.
     */
    public void record(long latencyMs) {
        if (latencyMs < 0) {
            negative++;
            latencyMs = 0;
        }
        if (latencyMs < counts.length) {
            counts[(int) latencyMs]++;
        } else {
            overflow++;
        }
        max = Math.max(max, latencyMs);
        total++;
    }

    public void add(LatencyHistogram other) {
        if (other.counts.length != counts.length) {
            throw new IllegalArgumentException("other: ceiling " + (other.counts.length - 1) + " ms (expected: "
                    + (counts.length - 1) + " ms)");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        overflow += other.overflow;
        max = Math.max(max, other.max);
        total += other.total;
        negative += other.negative;
    }

    public long count() {
        return total;
    }

    public long max() {
        return max;
    }

    public long negative() {
        return negative;
    }

    /** Values above the ceiling. */
    public long overflow() {
        return overflow;
    }

    /**
     * The smallest recorded value v such that at least {@code q} of all values are <= v (nearest
     * rank); values above the ceiling answer the maximum. -1 when nothing was recorded.
     */
    public long quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q: " + q + " (expected: 0..1)");
        }
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i;
            }
        }
        return max;
    }
}
