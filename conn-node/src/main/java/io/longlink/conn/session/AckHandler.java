package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.broadcast.FanOutCopies;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.Ack;
import java.util.Arrays;

/**
 * ACK frames: the acknowledged ids leave the inbox, a replay waiting for its last id moves the
 * device's broadcast-log position, an ACK of a recent tag or broadcast copy counts on its message
 * and may move that position too ({@link SeenPosition}), and copies a DeliveryBatch awaits
 * ({@link AckWaiter}) are answered. A connection removes at most as many ids as PUSH frames were
 * written on it ({@link Session#ackCredit}): the rest name nothing sent here and are dropped
 * before any Redis work, so an ACK flood of made-up ids costs the store nothing. While the node's Redis queue has no room for the removals, the
 * device's reads pause. The awaited copies are registered here too, when a live push is
 * written. Event-loop only.
 */
final class AckHandler {
    private final ConnMetrics metrics;
    private final Inboxes inboxes;
    private final BroadcastLogs broadcasts;
    private final FanOutCopies copies;
    private final SeenPosition seen;
    private final CatchUp catchUp;

    AckHandler(ConnMetrics metrics, Inboxes inboxes, BroadcastLogs broadcasts, FanOutCopies copies, SeenPosition seen,
               CatchUp catchUp) {
        this.metrics = requireNonNull(metrics, "metrics");
        this.inboxes = requireNonNull(inboxes, "inboxes");
        this.broadcasts = requireNonNull(broadcasts, "broadcasts");
        this.copies = requireNonNull(copies, "copies");
        this.seen = requireNonNull(seen, "seen");
        this.catchUp = requireNonNull(catchUp, "catchUp");
    }

    void ack(Session s, Ack a) {
        int n = a.getMessageIdsCount();
        if (n == 0) {
            return;
        }
        long[] ids = new long[n];
        int stored = 0; // ids that may have an inbox entry: not fan-out copies
        int credit = s.ackCredit;
        int ignored = 0;
        ReplayMark mark = s.replayMark;
        long lastReplayed = catchUp.lastReplayed(s);
        for (int i = 0; i < n; i++) {
            long id = a.getMessageIds(i);
            if (mark != null && id == mark.id()) {
                s.replayMark = null;
                seen.replayed(s, mark.position());
                mark = null;
            }
            if (lastReplayed != 0 && id == lastReplayed) {
                catchUp.lastReplayedAcked(s);
            }
            long position = copies.position(id);
            if (position != 0) { // a fan-out copy: never in the inbox
                if (position > 0) {
                    seen.fanOutAcked(s, position);
                }
                broadcasts.acked(s.appKey, s.deviceId, id);
            } else if (credit > 0) {
                credit--;
                ids[stored++] = id;
            } else {
                ignored++;
            }
        }
        s.ackCredit = credit;
        metrics.ackIds.inc(n);
        if (ignored != 0) {
            metrics.ackIdsIgnored.inc(ignored);
        }
        s.flags &= ~Session.F_ACK_LATE;
        if (stored == 0) {
            return;
        }
        AckWaits waits = s.ackWaits;
        if (waits != null) {
            // copies acknowledged while their batch still waited never reached the inbox: nothing to remove
            int kept = 0;
            for (int i = 0; i < stored; i++) {
                long id = ids[i];
                switch (waits.acked(id)) {
                    case AckWaits.IN_TIME -> inboxes.ackedLive(s.appKey, s.deviceId, id);
                    case AckWaits.LATE -> inboxes.ackedLate(s.appKey, s.deviceId, id);
                    default -> ids[kept++] = id;
                }
            }
            if (waits.isEmpty()) {
                s.ackWaits = null;
            }
            if (kept == 0) {
                return;
            }
            stored = kept;
        }
        long[] removed = stored < n ? Arrays.copyOf(ids, stored) : ids;
        if (!inboxes.ack(s.appKey, s.deviceId, removed, () -> s.onLoop(() -> ackQueued(s)))) {
            s.flags |= Session.F_ACK_PARKED; // no room in the Redis queue: read nothing more until there is
            s.updateReading();
        }
    }

    /** A parked ACK of the session was queued: it reads again (if its outbound side is writable). */
    private static void ackQueued(Session s) {
        if (s.state != Session.CLOSED) {
            s.flags &= (byte) ~Session.F_ACK_PARKED;
            s.updateReading();
        }
    }

    /**
     * Copy {@code index} of {@code waiter}'s batch, message {@code id}, was written live: it waits for
     * the device's ACK, unless this device left an earlier awaited copy unacknowledged (then the
     * router stores it at once instead of waiting again for a device that may be gone).
     */
    void await(Session s, long id, AckWaiter waiter, int index) {
        AckWaits waits = s.ackWaits;
        if (waits != null && waits.dropAnswered()) {
            s.flags |= Session.F_ACK_LATE;
        }
        if ((s.flags & Session.F_ACK_LATE) != 0) {
            return;
        }
        if (waits == null) {
            waits = s.ackWaits = new AckWaits();
        }
        if (waits.add(id, waiter, index)) {
            waiter.awaiting(index);
        }
    }
}
