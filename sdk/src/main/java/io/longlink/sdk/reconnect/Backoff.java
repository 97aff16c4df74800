package io.longlink.sdk.reconnect;

import static java.util.Objects.requireNonNull;

import java.util.Random;

/**
 * Exponential backoff with full jitter: attempt {@code n} waits a uniform random time in
 * {@code [0, min(cap, base * 2^n)]}. Full jitter spreads the reconnects of many devices that lost the
 * same node over the whole window instead of bunching them at its end. Not thread-safe.
 */
public final class Backoff {
    private static final int MAX_SHIFT = 62;

    private final long baseMillis;
    private final long capMillis;
    private final Random random;
    private int attempt;

    public Backoff(long baseMillis, long capMillis, Random random) {
        if (baseMillis < 1) {
            throw new IllegalArgumentException("baseMillis: " + baseMillis + " (expected >= 1)");
        }
        if (capMillis < baseMillis) {
            throw new IllegalArgumentException("capMillis: " + capMillis + " (expected >= baseMillis " + baseMillis + ")");
        }
        this.baseMillis = baseMillis;
        this.capMillis = capMillis;
        this.random = requireNonNull(random, "random");
    }

    /** The delay before the next attempt; each call counts one more failed attempt. */
    public long nextDelayMillis() {
        long ceiling = ceilingMillis(attempt);
        if (attempt < MAX_SHIFT) {
            attempt++;
        }
        return uniform(ceiling);
    }

    /** The upper bound of the delay for attempt {@code n} (0-based), saturating at the cap. */
    public long ceilingMillis(int n) {
        int shift = Math.min(Math.max(n, 0), MAX_SHIFT);
        if (baseMillis > (capMillis >> shift)) {
            return capMillis;
        }
        return baseMillis << shift;
    }

    /** A uniform random time in {@code [0, boundMillis]}. */
    public long jitterMillis(long boundMillis) {
        return uniform(Math.max(0, boundMillis));
    }

    /** Called after a stable connection: the next failure starts from {@code base} again. */
    public void reset() {
        attempt = 0;
    }

    public int attempts() {
        return attempt;
    }

    public long baseMillis() {
        return baseMillis;
    }

    private long uniform(long bound) {
        // nextDouble() is below 1, so the product stays within [0, bound] once clamped for rounding.
        long value = (long) (random.nextDouble() * (bound + 1.0));
        return Math.min(value, bound);
    }
}
