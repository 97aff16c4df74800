package io.longlink.router.deliver;

import static java.util.Objects.requireNonNull;

import java.util.function.ObjIntConsumer;

/**
 * How a link retries Deliver batches that failed (timeout, stream reset): at most {@code max}
 * times, {@code backoffMs} after each failure, with at most {@code queueMax} batches waiting per
 * link. {@code events} counts deliveries by result: sent, written, not_written, gave_up, dropped.
 */
public record DeliverRetries(int max, long backoffMs, int queueMax, ObjIntConsumer<String> events) {
    /** No retries: a failed batch waits in the inboxes for the devices' next CONNECT. */
    public static final DeliverRetries NONE = new DeliverRetries(0, 1, 1, (result, n) -> { });

    public DeliverRetries {
        requireNonNull(events, "events");
        if (max < 0 || backoffMs < 1 || queueMax < 1) {
            throw new IllegalArgumentException("retries: max " + max + ", backoffMs " + backoffMs + ", queueMax "
                    + queueMax + " (expected: max >= 0, backoffMs >= 1, queueMax >= 1)");
        }
    }
}
