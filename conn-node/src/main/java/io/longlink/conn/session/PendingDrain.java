package io.longlink.conn.session;

import io.longlink.proto.device.Push;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * What a session needs only while its inbox drains: live deliveries held back so they follow the
 * inbox, and the ids already drained so a live copy of the same message is not sent twice.
 * Event-loop only. Dropped when the drain ends.
 */
final class PendingDrain {
    private final int maxPending;
    final long lastSeenHint;
    private ArrayDeque<Push> pending;
    private long[] drained = new long[16];
    private int drainedCount;
    /** Last inbox member read: the next page starts after it. */
    String cursor = "-";
    int total;
    /** A full page was written into a socket that is not writable: the next page waits for writability. */
    boolean waitingForWritable;

    PendingDrain(int maxPending, long lastSeenHint) {
        this.maxPending = maxPending;
        this.lastSeenHint = lastSeenHint;
    }

    /** @return false when the bound is reached (the caller answers REJECTED; the message stays in the inbox) */
    boolean hold(Push push) {
        if (pending == null) {
            pending = new ArrayDeque<>();
        }
        if (pending.size() >= maxPending) {
            return false;
        }
        pending.add(push);
        return true;
    }

    /** Inbox members arrive in id order (unsigned), so the array stays sorted for the binary search. */
    void drained(long id) {
        if (drainedCount == drained.length) {
            drained = Arrays.copyOf(drained, drainedCount * 2);
        }
        drained[drainedCount++] = id;
    }

    boolean wasDrained(long id) {
        int lo = 0;
        int hi = drainedCount - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(drained[mid], id);
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    ArrayDeque<Push> pending() {
        return pending;
    }
}
