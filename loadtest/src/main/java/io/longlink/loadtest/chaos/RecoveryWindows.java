package io.longlink.loadtest.chaos;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Delivery health per second, to say when a fault is over. Seconds are those of the message id's
 * timestamp (the api-node's clock when it gave out the id, within milliseconds of acceptance).
 * For second {@code w}: offered = copies (message x targeted device) of accepted TTL > 0 pushes;
 * timely = those shown within {@code timelyMs} of the id's timestamp. A second is healthy when
 * offered > 0 and timely >= {@link #HEALTHY_SHARE} of offered. A fault injected at {@code t} has
 * recovered at the start of the first second at or after {@code t} that begins
 * {@link #HEALTHY_SECONDS} healthy seconds in a row. Thread-safe.
 */
final class RecoveryWindows {
    static final double HEALTHY_SHARE = 0.9;
    static final int HEALTHY_SECONDS = 5;

    private final long epochMs;
    private final long timelyMs;
    private final AtomicLongArray offered;
    private final AtomicLongArray timely;

    RecoveryWindows(long epochMs, int spanSeconds, long timelyMs) {
        this.epochMs = epochMs;
        this.timelyMs = timelyMs;
        this.offered = new AtomicLongArray(spanSeconds);
        this.timely = new AtomicLongArray(spanSeconds);
    }

    void offered(long messageId, int copies) {
        int w = window(Probe.idMillis(messageId));
        if (w >= 0) {
            offered.addAndGet(w, copies);
        }
    }

    void shown(long messageId, long shownMs) {
        long idMs = Probe.idMillis(messageId);
        int w = window(idMs);
        if (w >= 0 && shownMs - idMs <= timelyMs) {
            timely.incrementAndGet(w);
        }
    }

    /**
     * The epoch millis at which deliveries recovered after {@code injectedMs}, or -1 when they have not
     * (yet) by what {@code nowMs} lets us know: a second is judged once {@code timelyMs} have passed
     * after its end.
     */
    long recoveredAt(long injectedMs, long nowMs) {
        long first = Math.max(0, Math.floorDiv(injectedMs - epochMs, 1000L));
        long lastFinal = Math.min(offered.length() - 1L, Math.floorDiv(nowMs - timelyMs - epochMs, 1000L) - 1);
        int run = 0;
        for (int w = (int) Math.min(first, offered.length()); w <= lastFinal; w++) {
            run = healthy(w) ? run + 1 : 0;
            if (run == HEALTHY_SECONDS) {
                long startMs = epochMs + (w - HEALTHY_SECONDS + 1) * 1000L;
                return Math.max(startMs, injectedMs);
            }
        }
        return -1;
    }

    boolean healthy(int w) {
        long o = offered.get(w);
        return o > 0 && timely.get(w) >= HEALTHY_SHARE * o;
    }

    /** "offered/timely" of each second from {@code fromMs} to {@code toMs}, for the log. */
    String describe(long fromMs, long toMs) {
        StringBuilder sb = new StringBuilder();
        for (int w = Math.max(0, window(fromMs)); w <= window(toMs) && w < offered.length(); w++) {
            sb.append(sb.isEmpty() ? "" : " ").append(timely.get(w)).append('/').append(offered.get(w));
        }
        return sb.toString();
    }

    private int window(long ms) {
        long w = Math.floorDiv(ms - epochMs, 1000L);
        return w < 0 || w >= offered.length() ? -1 : (int) w;
    }
}
