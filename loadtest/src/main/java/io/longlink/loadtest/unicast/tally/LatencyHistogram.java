package io.longlink.loadtest.unicast.tally;

import org.HdrHistogram.Histogram;

/**
 * Latencies in whole milliseconds on an HdrHistogram of {@link #SIGNIFICANT_DIGITS} significant
 * digits: exact to the millisecond below 2,048 ms, within 0.1% above. Values above the highest
 * trackable one (the run's time cap) are recorded as it and counted in {@link #overflow()}; the
 * exact maximum is kept beside. Recording never allocates. Not thread-safe: one per event loop,
 * merged at the end.
 */
public final class LatencyHistogram {
    static final int SIGNIFICANT_DIGITS = 3;

    private final long highestMs;
    private final Histogram histogram;
    private long max;
    private long overflow;
    private long negative;

    /** Tracks {@code 0..highestMs}; above it only counted, with the maximum kept. */
    public LatencyHistogram(long highestMs) {
        if (highestMs < 2 || highestMs > 86_400_000L) {
            throw new IllegalArgumentException("highestMs: " + highestMs + " (expected: 2..86400000)");
        }
        this.highestMs = highestMs;
        this.histogram = new Histogram(highestMs, SIGNIFICANT_DIGITS);
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
        max = Math.max(max, latencyMs);
        if (latencyMs > highestMs) {
            overflow++;
            latencyMs = highestMs;
        }
        histogram.recordValue(latencyMs);
    }

    public void add(LatencyHistogram other) {
        if (other.highestMs != highestMs) {
            throw new IllegalArgumentException("other: highest " + other.highestMs + " ms (expected: " + highestMs
                    + " ms)");
        }
        histogram.add(other.histogram);
        max = Math.max(max, other.max);
        overflow += other.overflow;
        negative += other.negative;
    }

    public long count() {
        return histogram.getTotalCount();
    }

    public long max() {
        return max;
    }

    public long negative() {
        return negative;
    }

    /** Values above the highest trackable one. */
    public long overflow() {
        return overflow;
    }

    /**
     * The smallest recorded value v such that at least {@code q} of all values are <= v (nearest
     * rank), to the histogram's precision and never above the maximum; values above the highest
     * trackable one answer the maximum. -1 when nothing was recorded.
     */
    public long quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q: " + q + " (expected: 0..1)");
        }
        if (count() == 0) {
            return -1;
        }
        long v = histogram.getValueAtPercentile(q * 100);
        if (overflow > 0 && v >= histogram.lowestEquivalentValue(highestMs)) {
            return max;
        }
        return Math.min(v, max);
    }
}
