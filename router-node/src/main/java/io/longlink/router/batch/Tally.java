package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.router.batch.FanOutOutcome.State;
import io.longlink.router.receipt.Receipts;
import java.util.List;

/**
 * A round's outcomes, counted: each copy's final outcome once in longlink_router_deliveries_total,
 * a STORED receipt for each copy kept in its inbox (TTL &gt; 0) instead of reaching its device, and per
 * message the counters its status gets.
 */
final class Tally {
    private final RouterMetrics metrics;
    private final Receipts receipts;
    private final long nowMs;
    private final long[] online;
    private final long[] stored;
    private final long[] acked;
    private final long[] matched;
    private final boolean[] inboxWritten;

    Tally(List<Message> messages, RouterMetrics metrics, Receipts receipts, long nowMs) {
        this.metrics = requireNonNull(metrics, "metrics");
        this.receipts = requireNonNull(receipts, "receipts");
        this.nowMs = nowMs;
        int n = messages.size();
        online = new long[n];
        stored = new long[n];
        acked = new long[n];
        matched = new long[n];
        inboxWritten = new boolean[n];
        for (Message m : messages) {
            inboxWritten[m.index] = m.storedBeforeDelivery() && !m.devices.isEmpty();
        }
    }

    /** Counts final outcomes; each copy is to be counted once. */
    void countCopies(List<CopyResult> results) {
        for (CopyResult r : results) {
            Message m = r.copy().message();
            metrics.deliveries.labels(r.outcome().label).inc();
            if (r.outcome().online()) {
                online[m.index]++;
                if (r.outcome() == CopyOutcome.ACKED) {
                    acked[m.index]++;
                }
            } else if (m.stores()) {
                stored[m.index]++;
                receipts.stored(m.appKey, r.copy().deviceId(), m.id, nowMs);
            }
        }
    }

    /** Counts what the conn-nodes answered: devices matched and written to. */
    void countFanOuts(List<FanOutOutcome> outcomes) {
        for (FanOutOutcome f : outcomes) {
            if (f.state() == State.OK) {
                matched[f.message().index] += f.response().getMatched();
                online[f.message().index] += f.response().getWritten();
            }
        }
    }

    /** Notes the awaited copies written to their inboxes after delivery. */
    void noteStoredMisses(List<CopyResult> misses) {
        for (CopyResult miss : misses) {
            inboxWritten[miss.copy().message().index] = true;
        }
    }

    long online(Message m) {
        return online[m.index];
    }

    long stored(Message m) {
        return stored[m.index];
    }

    long acked(Message m) {
        return acked[m.index];
    }

    long matched(Message m) {
        return matched[m.index];
    }

    /**
     * Some copy went to an inbox in this routing: its device's conn-node may count a late ACK of it,
     * and (for an awaitAck message) its body was extended to the whole TTL.
     */
    boolean inboxWritten(Message m) {
        return inboxWritten[m.index];
    }
}
