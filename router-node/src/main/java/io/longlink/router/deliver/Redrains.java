package io.longlink.router.deliver;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.common.log.LogThrottle;
import io.longlink.router.deliver.DirtyDevices.Flagged;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.ObjIntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-drains of one link. A device whose copy failed to be delivered (its batch timed out, the
 * stream reset, the node was unreachable) is marked dirty once that copy is in its inbox; then every
 * delivery to it carries {@code redrain}, so the conn-node writes the inbox again before the new push
 * and the device sees both in acceptance order. For devices that get no further push, redrain-only
 * deliveries go out in the background, one batch at a time, {@code firstBackoffMs} after the first
 * mark and with a doubling backoff while some stay unanswered, until each is answered. Re-sending a
 * failed copy instead could put it behind a newer one delivered meanwhile.
 */
final class Redrains {
    private static final Logger log = LoggerFactory.getLogger(ConnNodeLink.class);
    /** Devices per redrain-only DeliveryBatch. */
    static final int BATCH = 512;
    private static final long MAX_BACKOFF_MS = 10_000;

    private final String nodeId;
    private final DirtyDevices dirty;
    private final BiFunction<List<Delivery>, Integer, CompletableFuture<DeliveryResult>> send;
    private final long firstBackoffMs;
    private final ObjIntConsumer<String> events;
    private final LogThrottle failures = new LogThrottle();
    private final Object lock = new Object();
    /** Guarded by lock: a background round is scheduled or running. */
    private boolean armed;
    /** Guarded by lock. */
    private long backoffMs;
    private volatile boolean closed;

    /**
     * @param send   sends a DeliveryBatch with its ACK wait on the link
     * @param events counts devices {@code marked}, {@code cleared}, {@code overflowed}, and redrain-only
     *               deliveries {@code sent} and {@code failed}
     */
    Redrains(String nodeId, int maxDirty, long firstBackoffMs,
             BiFunction<List<Delivery>, Integer, CompletableFuture<DeliveryResult>> send, ObjIntConsumer<String> events) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.send = requireNonNull(send, "send");
        this.events = requireNonNull(events, "events");
        this.dirty = new DirtyDevices(maxDirty, events);
        this.firstBackoffMs = firstBackoffMs;
        this.backoffMs = firstBackoffMs;
    }

    /** Marks a device dirty: its failed copy is in its inbox now. */
    void mark(String appKey, String deviceId, String connectionId) {
        dirty.mark(new DirtyDevices.Device(appKey, deviceId, connectionId));
        long delay;
        synchronized (lock) {
            if (armed || closed) {
                return;
            }
            armed = true;
            delay = backoffMs;
        }
        schedule(delay);
    }

    /** Sends {@code deliveries}, those to dirty devices with {@code redrain}; answers clear their marks. */
    CompletableFuture<DeliveryResult> deliver(List<Delivery> deliveries, int ackWaitMs) {
        Flagged flagged = dirty.flag(deliveries);
        if (flagged == null) {
            return send.apply(deliveries, ackWaitMs);
        }
        // the marks are cleared before the caller sees the answer: its next delivery is flagged or not by it
        return send.apply(flagged.deliveries(), ackWaitMs).thenApply(r -> {
            dirty.answered(flagged, r);
            return r;
        });
    }

    int dirtyDevices() {
        return dirty.size();
    }

    void close() {
        closed = true;
    }

    private void schedule(long delayMs) {
        CompletableFuture.delayedExecutor(Math.max(1, delayMs), TimeUnit.MILLISECONDS).execute(this::round);
    }

    /** One background round: every dirty device once, batch after batch; then again later if some stay. */
    private void round() {
        if (closed) {
            return;
        }
        AtomicBoolean answered = new AtomicBoolean();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (Flagged batch : dirty.redrainOnly(BATCH)) {
            chain = chain.thenCompose(x -> sendRedrainOnly(batch, answered));
        }
        chain.whenComplete((x, e) -> roundDone(answered.get()));
    }

    private CompletableFuture<Void> sendRedrainOnly(Flagged batch, AtomicBoolean answered) {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        events.accept("sent", batch.deliveries().size());
        return send.apply(batch.deliveries(), 0).handle((r, e) -> {
            if (e == null) {
                answered.set(true);
                dirty.answered(batch, r);
            } else {
                events.accept("failed", batch.deliveries().size());
                long held = failures.pass();
                if (held >= 0) {
                    log.warn("redrain-only deliveries failed; retried with backoff node_id={} devices={}"
                            + " dirty_devices={} cause=\"{}\" failures_not_logged={}", nodeId,
                            batch.deliveries().size(), dirty.size(), e.getMessage(), held);
                }
            }
            return null;
        });
    }

    /** Schedules the next round while devices stay dirty: soon after an answer, later after failures. */
    private void roundDone(boolean answered) {
        long delay;
        synchronized (lock) {
            backoffMs = answered ? firstBackoffMs : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            if (closed || dirty.size() == 0) {
                armed = false;
                return;
            }
            delay = backoffMs;
        }
        schedule(delay);
    }
}
