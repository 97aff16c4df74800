package io.longlink.loadtest.scenario;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** The hard time cap of a run: every wait takes at most what is left of it. */
public final class Deadline {
    private final long endNanos;
    private final Duration cap;

    private Deadline(Duration cap) {
        this.cap = cap;
        this.endNanos = System.nanoTime() + cap.toNanos();
    }

    public static Deadline after(Duration cap) {
        if (cap.isNegative() || cap.isZero()) {
            throw new IllegalArgumentException("cap: " + cap + " (expected: positive)");
        }
        return new Deadline(cap);
    }

    /**
     * A scenario's cap: the run's {@code --time-cap-s} less the minute ops/bench keeps for stopping the
     * stack inside the cap it enforces, but at least {@code floorSeconds}.
     */
    public static Deadline insideTimeCap(int timeCapSeconds, int floorSeconds) {
        return after(Duration.ofSeconds(Math.max(floorSeconds, timeCapSeconds - 60L)));
    }

    public long remainingNanos() {
        return Math.max(0, endNanos - System.nanoTime());
    }

    /** The smaller of {@code wanted} and what is left; throws when nothing is left. */
    public Duration budget(Duration wanted, String during) throws TimeoutException {
        long left = remainingNanos();
        if (left == 0) {
            throw expired(during);
        }
        return Duration.ofNanos(Math.min(left, wanted.toNanos()));
    }

    public TimeoutException expired(String during) {
        return new TimeoutException("time cap of " + cap.toSeconds() + " s reached " + during);
    }
}
