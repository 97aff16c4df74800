package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Lets one kind of log line through at most once a second and counts the ones it held back, so a
 * burst of slow batches or failing calls costs one line a second, and that line still says how many
 * there were. Thread-safe: its lock is taken only on the way to a log line.
 */
public final class LogThrottle {
    private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    /** Guarded by this. */
    private long lastNanos;
    /** Guarded by this. */
    private int held;

    public LogThrottle() {
        this(System::nanoTime);
    }

    LogThrottle(LongSupplier nanoClock) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.lastNanos = nanoClock.getAsLong() - PERIOD_NANOS;
    }

    /** @return -1 when this line is to be held back, else how many were held back since the last one let through */
    public synchronized int pass() {
        long now = nanoClock.getAsLong();
        if (now - lastNanos < PERIOD_NANOS) {
            held++;
            return -1;
        }
        lastNanos = now;
        int before = held;
        held = 0;
        return before;
    }
}
