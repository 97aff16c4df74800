package io.longlink.common.limit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket kept as one number, the time at which it will be full again (the generic cell
 * rate algorithm): taking a token moves that time one interval later, and a token is there as long
 * as that time stays within the bucket's depth of now. Lock-free, no timer, and the rate may change
 * between calls (the number of api-nodes sharing a quota does). Used for app quotas and the
 * conn-node's CONNECT rates.
 */
public final class RateBucket {
    /** When the bucket is full again ({@link System#nanoTime} based); at or before now = full. */
    private final AtomicLong fullAt;

    public RateBucket(long nowNanos) {
        fullAt = new AtomicLong(nowNanos);
    }

    /**
     * Takes one token at {@code now}: answers 0, or when it refuses, the nanoseconds until a token is there.
     *
     * @param intervalNanos the time one token takes to come back (1 s / rate)
     * @param depthNanos    how much time the bucket holds: capacity times the interval
     */
    public long take(long now, long intervalNanos, long depthNanos) {
        while (true) {
            long full = fullAt.get();
            long next = (full - now > 0 ? full : now) + intervalNanos;
            long ahead = next - now;
            if (ahead > depthNanos) {
                return ahead - depthNanos;
            }
            if (fullAt.compareAndSet(full, next)) {
                return 0;
            }
        }
    }

    /**
     * Takes {@code nanos} worth of tokens whether or not they are there: the bucket owes them and
     * refuses until paid back, owing at most {@code maxOwedNanos} beyond now.
     */
    public void owe(long now, long nanos, long maxOwedNanos) {
        while (true) {
            long full = fullAt.get();
            long next = Math.min((full - now > 0 ? full : now) + nanos, now + maxOwedNanos);
            if (next - full <= 0 || fullAt.compareAndSet(full, next)) {
                return;
            }
        }
    }

    /** How long from {@code now} until the bucket is full again (0 when it is). */
    public long untilFull(long now) {
        return Math.max(0, fullAt.get() - now);
    }

    /** Puts back a token taken with {@code intervalNanos} (the call it was for was refused by another quota). */
    public void putBack(long intervalNanos) {
        fullAt.addAndGet(-intervalNanos);
    }
}
