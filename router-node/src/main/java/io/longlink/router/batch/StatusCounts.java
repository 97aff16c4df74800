package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.router.receipt.Receipts;
import io.longlink.router.store.BatchStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each accepted message's status, pipelined and not awaited: on a direct message's first
 * routing one HSET of {@code routed_ms} and its counters; for a fan-out's first routing {@code
 * routed_ms} and HINCRBYs. A later routing of the same message (a retry after a crash, a duplicate
 * command) adds nothing to the counters, which count devices, not copies: it writes {@code routed_ms}
 * and its own counts only if the first routing's status never got written. A revoked message gets
 * none. With them, each message a size bound trimmed
 * is counted on its own status ({@code dropped}, {@code log_trimmed_ms}) if its body still existed,
 * and then also in a metric and a DROPPED receipt.
 *
 * <p>Best effort: a lost status update must not make the batch run (and deliver) again, nor may the
 * next batch wait for it. Redis answers a connection's commands in order, so the next batch's round
 * trip completes after these anyway.
 */
final class StatusCounts {
    // the batch's log lines keep the logger their readers know
    private static final Logger log = LoggerFactory.getLogger(BatchRouter.class);

    private final BatchStore store;
    private final RouterMetrics metrics;
    private final Receipts receipts;

    StatusCounts(BatchStore store, RouterMetrics metrics, Receipts receipts) {
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        this.receipts = requireNonNull(receipts, "receipts");
    }

    void write(Admitted admitted, Tally tally, List<Dropped> drops, long nowMs) {
        List<CompletableFuture<?>> updates = new ArrayList<>();
        store.pipelined(() -> {
            for (Message m : admitted.messages()) {
                Verdict verdict = admitted.verdict(m);
                if (verdict.accepted()) {
                    write(m, verdict == Verdict.FIRST_ROUTING, tally, nowMs, updates);
                }
            }
            for (Dropped d : drops) {
                updates.add(count(d, nowMs));
            }
        });
        if (updates.isEmpty()) {
            return;
        }
        CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("status not updated for {} messages cause=\"{}\"", admitted.messages().size(), e.toString());
            }
        });
    }

    private CompletableFuture<Void> count(Dropped d, long nowMs) {
        CompletableFuture<Boolean> counted = d.fromLog() ? store.countLogTrim(d.messageId(), nowMs)
                : store.countInboxDrop(d.messageId());
        return counted.thenAccept(drop -> {
            if (drop) {
                (d.fromLog() ? metrics.logTrimmed : metrics.inboxDropped).inc();
                receipts.dropped(d.appKey(), d.deviceId(), d.messageId(), nowMs);
            }
        });
    }

    private void write(Message m, boolean firstRouting, Tally tally, long nowMs, List<CompletableFuture<?>> updates) {
        if (!firstRouting) {
            long targeted = m.isFanOut() ? tally.matched(m) : m.devices.size();
            updates.add(store.routedAgain(m.id, nowMs, targeted, tally.online(m), tally.stored(m)));
            return;
        }
        boolean direct = !m.isFanOut();
        // A conn-node counts an ACK itself (HINCRBY) only when it removes an inbox entry. With no copy
        // in an inbox, none exists, so the router's count can be a field of the first HSET; otherwise
        // a late ACK's increment may land first, and an HSET would overwrite it.
        boolean ackedInHset = direct && !tally.inboxWritten(m);
        long acked = tally.acked(m);
        if (acked > 0 && !ackedInHset) {
            updates.add(store.count(m.id, RedisKeys.STAT_ACKED, acked));
        }
        if (direct) {
            updates.add(store.firstRouted(m.id, nowMs, m.devices.size(), tally.online(m), tally.stored(m),
                    ackedInHset ? acked : 0));
            return;
        }
        updates.add(store.routed(m.id, nowMs));
        if (tally.online(m) > 0) {
            updates.add(store.count(m.id, RedisKeys.STAT_ONLINE, tally.online(m)));
        }
        if (tally.stored(m) > 0) {
            updates.add(store.count(m.id, RedisKeys.STAT_STORED, tally.stored(m)));
        }
        if (tally.matched(m) > 0) {
            updates.add(store.count(m.id, RedisKeys.STAT_TARGETED, tally.matched(m)));
        }
    }
}
