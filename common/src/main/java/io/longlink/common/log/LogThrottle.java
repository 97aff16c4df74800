package io.longlink.common.log;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one kind of log line through at most once a second and counts the ones it held back, so a
 * storm of one failure (every call while Redis is down) costs one line a second, and that line
 * still says how many there were. Safe for any number of threads: one compare-and-set decides
 * which caller logs.
 */
public final class LogThrottle {
    private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    /** When the next line may go out. */
    private final AtomicLong nextNanos;
    private final AtomicLong held = new AtomicLong();

    public LogThrottle() {
        this(System::nanoTime);
    }

    public LogThrottle(LongSupplier nanoClock) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.nextNanos = new AtomicLong(nanoClock.getAsLong());
    }

    /** @return -1 when this line is to be held back, else how many were held back since the last one let through */
    public long pass() {
        long now = nanoClock.getAsLong();
        long next = nextNanos.get();
        if (now - next < 0 || !nextNanos.compareAndSet(next, now + PERIOD_NANOS)) {
            held.incrementAndGet();
            return -1;
        }
        return held.getAndSet(0);
    }
}
