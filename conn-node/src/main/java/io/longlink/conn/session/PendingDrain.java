package io.longlink.conn.session;

import io.longlink.conn.inbox.InboxEntry;
import io.longlink.proto.device.Push;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * What a session needs only while it catches up: the inbox and the app's broadcast log read page
 * by page and merged into one id-ordered stream (an id in both is written once), live deliveries
 * held back so they follow it, and the ids already written so a live copy of the same message is
 * not sent twice. Owned by {@link CatchUp}; event-loop only; dropped when the catch-up ends.
 *
 * <p>The merge takes the smaller head of the two current pages; when one page is used up and its
 * source is not finished, {@link #next} stops until the caller has read that source's next page.
 */
final class PendingDrain {
    private static final List<InboxEntry> EMPTY = List.of();

    private final int maxPending;
    private final long lastSeenHint;
    /**
     * A re-drain of a live session (after a REJECTED delivery), not a CONNECT catch-up: the inbox
     * only, and a failed read ends it instead of closing the connection.
     */
    private final boolean redrain;
    private ArrayDeque<Push> pending;
    private long[] drained = new long[16];
    private int drainedCount;
    /** A page was written into a socket that is not writable: the next read waits for writability. */
    private boolean waitingForWritable;

    // ---- inbox source ----
    /** Last inbox member read: the next page starts after it. */
    private String inboxCursor = "-";
    /** Inbox messages written so far (bounded by conn.inbox-drain-max). */
    private int inboxTotal;
    private boolean inboxReading;
    private boolean inboxDone;
    private List<InboxEntry> inboxPage = EMPTY;
    private int inboxAt;

    // ---- broadcast-log source ----
    /** Tags are in the index (or will never be): log entries can be matched. */
    private boolean tagsLoaded;
    /** Log position: the last member looked at ("-" = from the start), null until ll:seen was read. */
    private String logCursor;
    /** Log entries looked at so far (bounded by conn.broadcast-replay-max). */
    private int logSeen;
    private boolean logReading;
    private boolean logDone;
    private List<InboxEntry> logPage = EMPTY;
    private int logAt;
    /** The log position reached by pages whose entries are all written or skipped (null: none yet). */
    private String logReached;
    /** The last message id written from the log, 0 when none. */
    private long lastReplayed;
    /** The device already ACKed {@link #lastReplayed} while the catch-up ran. */
    private boolean lastReplayedAcked;

    private PendingDrain(int maxPending, long lastSeenHint, boolean redrain, boolean tagsLoaded) {
        this.maxPending = maxPending;
        this.lastSeenHint = lastSeenHint;
        this.redrain = redrain;
        this.tagsLoaded = tagsLoaded;
    }

    /**
     * The catch-up of a CONNECT. {@code lastSeenHint}: the CONNECT's last received id;
     * {@code waitForTags}: the log is matched only once {@link #tagsLoaded} was called.
     */
    static PendingDrain afterConnect(int maxPending, long lastSeenHint, boolean waitForTags) {
        return new PendingDrain(maxPending, lastSeenHint, false, !waitForTags);
    }

    /** A live session's inbox written again; broadcast-log entries are not inbox entries and come with the next CONNECT. */
    static PendingDrain redrain(int maxPending) {
        PendingDrain d = new PendingDrain(maxPending, 0, true, true);
        d.logFinished();
        return d;
    }

    boolean isRedrain() {
        return redrain;
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

    ArrayDeque<Push> pending() {
        return pending;
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

    /** The CONNECT's last received id (0: none). */
    long lastSeenHint() {
        return lastSeenHint;
    }

    /** Whether the device said at CONNECT that it had received {@code id} already. */
    boolean redelivered(long id) {
        return lastSeenHint != 0 && Long.compareUnsigned(id, lastSeenHint) <= 0;
    }

    /** A page went into a socket that is not writable: no read until it drains. */
    void waitForWritable() {
        waitingForWritable = true;
    }

    /** The socket drained: true when the catch-up was waiting for it (and now goes on). */
    boolean resumeWhenWritable() {
        boolean was = waitingForWritable;
        waitingForWritable = false;
        return was;
    }

    // ---- reading the sources ----

    /** Whether the inbox's next page is needed and not being read. */
    boolean wantsInboxPage() {
        return needsInbox() && !inboxReading;
    }

    /** Whether the log's next page is needed, not being read, and can be matched (the tags are in). */
    boolean wantsLogPage() {
        return needsLog() && !logReading && tagsLoaded;
    }

    /** The device's tags are in the index: the log can be matched. */
    void tagsLoaded() {
        tagsLoaded = true;
    }

    /** Starts an inbox read; returns where it starts. */
    String inboxReadStarted() {
        inboxReading = true;
        return inboxCursor;
    }

    /** How many inbox entries the next read asks for: a page, within what is left of {@code drainMax}. */
    int inboxWant(int page, int drainMax) {
        return Math.min(page, drainMax - inboxTotal);
    }

    /**
     * An inbox page arrived: the next read starts after its last member, and {@code deliverable}
     * (its entries still worth writing) go into the merge. The inbox is finished when the page came
     * short of {@code asked} or {@code drainMax} messages are written.
     */
    void inboxPageRead(List<InboxEntry> page, List<InboxEntry> deliverable, int asked, int drainMax) {
        if (!page.isEmpty()) {
            inboxCursor = page.get(page.size() - 1).member();
        }
        inboxTotal += deliverable.size();
        inboxPage(deliverable, page.size() < asked || inboxTotal >= drainMax);
    }

    /** Starts a log read; returns where it starts, null when the device's position is still to be read. */
    String logReadStarted() {
        logReading = true;
        return logCursor;
    }

    /** The device's position was read: the log is read after {@code cursor}. */
    void logStartsAt(String cursor) {
        logCursor = cursor;
    }

    /** How many log entries the next read asks for: a page, within what is left of {@code replayMax}. */
    int logWant(int page, int replayMax) {
        return Math.min(page, replayMax - logSeen);
    }

    /** {@code n} log entries were looked at; true when this page is the log's last one for this catch-up. */
    boolean logEntriesSeen(int n, int asked, int replayMax) {
        logSeen += n;
        return n < asked || logSeen >= replayMax;
    }

    /**
     * The bodies of a log page's matching entries arrived: {@code deliverable} go into the merge, and
     * every entry up to {@code reached} is written or skipped once they are.
     */
    void logPageRead(List<InboxEntry> deliverable, String reached, boolean last) {
        logCursor = reached;
        logReached = reached;
        logPage(deliverable, last);
    }

    /** Where ll:seen may move when the catch-up ends; null when no log page was used. */
    String logReached() {
        return logReached;
    }

    /** The last message id written from the log, 0 when none. */
    long lastReplayed() {
        return lastReplayed;
    }

    /** The device ACKed {@link #lastReplayed} before the catch-up ended. */
    void lastReplayedAcked() {
        lastReplayedAcked = true;
    }

    /** The replayed id whose ACK moves ll:seen, or 0 when it may move at once (none replayed, or ACKed already). */
    long replayAwaitingAck() {
        return lastReplayedAcked ? 0 : lastReplayed;
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
