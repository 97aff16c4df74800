package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import java.util.function.LongSupplier;

/**
 * How far behind the pushes it routes this router is: the age, since the API accepted it
 * ({@code Push.sent_at_ms}), of the oldest push of the round in progress (growing while the round
 * waits), or of the oldest push of a round that finished in the last one to two windows, measured
 * at that round's end. A push waiting in Kafka behind a backlog shows up as soon as its round starts;
 * an idle router is 0 behind once its last rounds are out of the window. A clock behind the API's
 * counts as 0, never negative. Thread-safe: the consumer thread writes, a reporter reads.
 */
public final class RouterLag {
    private final LongSupplier clock;
    private final long windowMs;
    /** The oldest acceptance time of the round in progress; 0 = no round in progress. */
    private long roundOldestMs;
    private long windowStartMs;
    /** The worst lateness of rounds that ended in the current window, and in the one before it. */
    private long currentMs;
    private long previousMs;

    /**
     * @param clock    epoch milliseconds, the clock the API stamps {@code sent_at_ms} with
     * @param windowMs how long a finished round's lateness is remembered: at least this, at most twice it
     */
    public RouterLag(LongSupplier clock, long windowMs) {
        this.clock = requireNonNull(clock, "clock");
        if (windowMs < 1) {
            throw new IllegalArgumentException("windowMs: " + windowMs + " (expected: at least 1)");
        }
        this.windowMs = windowMs;
        this.windowStartMs = clock.getAsLong();
    }

    /** A round starts; {@code oldestSentMs} is its oldest push's acceptance time (0 or less: not known). */
    public synchronized void roundStarted(long oldestSentMs) {
        roundOldestMs = Math.max(0, oldestSentMs);
    }

    /** The round in progress ended, routed or not. */
    public synchronized void roundEnded() {
        if (roundOldestMs == 0) {
            return;
        }
        long now = clock.getAsLong();
        rotate(now);
        currentMs = Math.max(currentMs, now - roundOldestMs);
        roundOldestMs = 0;
    }

    /** Milliseconds behind now: 0 when nothing was late or the router is idle. */
    public synchronized long behindMs() {
        long now = clock.getAsLong();
        rotate(now);
        long behind = Math.max(currentMs, previousMs);
        if (roundOldestMs != 0) {
            behind = Math.max(behind, now - roundOldestMs);
        }
        return Math.max(0, behind);
    }

    private void rotate(long now) {
        long elapsed = now - windowStartMs;
        if (elapsed < windowMs) {
            return;
        }
        previousMs = elapsed < 2 * windowMs ? currentMs : 0;
        currentMs = 0;
        windowStartMs = now;
    }
}
