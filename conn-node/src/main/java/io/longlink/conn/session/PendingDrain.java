package io.longlink.conn.session;

import io.longlink.conn.inbox.InboxEntry;
import io.longlink.proto.device.Push;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * What a session needs only while it catches up on CONNECT: the inbox and the app's broadcast log
 * read page by page and merged into one id-ordered stream (an id in both is written once), live
 * deliveries held back so they follow it, and the ids already written so a live copy of the same
 * message is not sent twice. Event-loop only. Dropped when the catch-up ends.
 *
 * <p>The merge takes the smaller head of the two current pages; when one page is used up and its
 * source is not finished, {@link #next} stops until the caller has read that source's next page.
 */
final class PendingDrain {
    private static final List<InboxEntry> EMPTY = List.of();

    private final int maxPending;
    final long lastSeenHint;
    private ArrayDeque<Push> pending;
    private long[] drained = new long[16];
    private int drainedCount;
    /**
     * A re-drain of a live session (after a REJECTED delivery), not a CONNECT catch-up: the inbox
     * only, and a failed read ends it instead of closing the connection.
     */
    boolean redrain;
    /** A page was written into a socket that is not writable: the next read waits for writability. */
    boolean waitingForWritable;

    // ---- inbox source ----
    /** Last inbox member read: the next page starts after it. */
    String cursor = "-";
    /** Inbox messages written so far (bounded by conn.inbox-drain-max). */
    int total;
    boolean inboxReading;
    private boolean inboxDone;
    private List<InboxEntry> inboxPage = EMPTY;
    private int inboxAt;

    // ---- broadcast-log source ----
    /** Tags are in the index (or will never be): log entries can be matched. */
    boolean tagsLoaded;
    /** Log position: the last member looked at ("-" = from the start), null until ll:seen was read. */
    String logCursor;
    /** Log entries looked at so far (bounded by conn.broadcast-replay-max). */
    int logSeen;
    boolean logReading;
    private boolean logDone;
    private List<InboxEntry> logPage = EMPTY;
    private int logAt;
    /** The log position reached by pages whose entries are all written or skipped (null: none yet). */
    String logReached;
    /** The last message id written from the log, 0 when none. */
    long lastReplayed;
    /** The device already ACKed {@link #lastReplayed} while the catch-up ran. */
    boolean lastReplayedAcked;

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

    /** Written ids arrive in id order (unsigned), so the array stays sorted for the binary search. */
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

    // ---- merge ----

    /** The next inbox page (deliverable entries, id order); {@code last}: the inbox has nothing more to give. */
    void inboxPage(List<InboxEntry> page, boolean last) {
        inboxReading = false;
        inboxPage = page;
        inboxAt = 0;
        inboxDone = last;
    }

    /** The next page of matching log entries with their bodies (id order); {@code last}: the log is finished. */
    void logPage(List<InboxEntry> page, boolean last) {
        logReading = false;
        logPage = page;
        logAt = 0;
        logDone = last;
    }

    /** Ends the log source without another page (replay off, or a read failed: retried on the next CONNECT). */
    void logFinished() {
        logReading = false;
        logDone = true;
    }

    /**
     * The next entry to write, in id order, or null when a source needs its next page first
     * ({@link #needsInbox}, {@link #needsLog}) or everything was written ({@link #finished}).
     */
    InboxEntry next() {
        InboxEntry a = inboxAt < inboxPage.size() ? inboxPage.get(inboxAt) : null;
        InboxEntry b = logAt < logPage.size() ? logPage.get(logAt) : null;
        if ((a == null && !inboxDone) || (b == null && !logDone)) {
            return null;
        }
        if (b == null) {
            if (a != null) {
                inboxAt++;
            }
            return a;
        }
        int c = a == null ? 1 : Long.compareUnsigned(a.id(), b.id());
        if (c < 0) {
            inboxAt++;
            return a;
        }
        if (c == 0) {
            inboxAt++; // in both: written once
        }
        logAt++;
        lastReplayed = b.id();
        lastReplayedAcked = false;
        return c == 0 ? a : b;
    }

    /** Whether {@code e}, just returned by {@link #next}, counts as an inbox message (it may also be a log entry). */
    boolean fromInbox(InboxEntry e) {
        return inboxAt > 0 && inboxPage.get(inboxAt - 1) == e;
    }

    boolean needsInbox() {
        return inboxAt >= inboxPage.size() && !inboxDone;
    }

    boolean needsLog() {
        return logAt >= logPage.size() && !logDone;
    }

    boolean finished() {
        return inboxDone && logDone && inboxAt >= inboxPage.size() && logAt >= logPage.size();
    }
}
