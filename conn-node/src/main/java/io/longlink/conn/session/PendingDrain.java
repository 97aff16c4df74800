package io.longlink.conn.session;

import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.proto.device.Push;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a session needs only while it catches up: the inbox and the app's broadcast log read page
 * by page, each in its own (position) order, merged into one stream; live deliveries held back so
 * they follow it; and the ids already written, so each message goes out once. Owned by
 * {@link CatchUp}; event-loop only; dropped when the catch-up ends.
 *
 * <p>The merge picks the head whose id is older by its timestamp bits, so the two sources come
 * roughly in time order, but it never reorders within a source; when one page is used up and its
 * source is not finished, {@link #next} stops until the caller has read that source's next page.
 */
final class PendingDrain {
    private static final List<InboxEntry> EMPTY = List.of();
    /** Message ids are {@code 41-bit ms | 10-bit worker | 12-bit sequence} (api-node MessageIds). */
    private static final int ID_TIME_SHIFT = 22;

    private final int maxPending;
    private final long lastSeenHint;
    /**
     * A re-drain of a live session, not a CONNECT catch-up: a failed read ends it instead of closing
     * the connection.
     */
    private final boolean redrain;
    private ArrayDeque<Push> pending;
    /** Ids written by this catch-up and the rounds it continues (a hash set: the sources are not in id order). */
    private Set<Long> written;
    /** A page was written into a socket that is not writable: the next read waits for writability. */
    private boolean waitingForWritable;

    // ---- inbox source ----
    private PageCursor inboxCursor = PageCursor.START;
    private boolean inboxReading;
    /** Some inbox read of this round was sent to Redis (answered or not). */
    private boolean inboxReadIssued;
    private boolean inboxDone;
    private List<InboxEntry> inboxPage = EMPTY;
    private int inboxAt;

    // ---- broadcast-log source ----
    /** Tags are in the index (or will never be): log entries can be matched. */
    private boolean tagsLoaded;
    /** Where the log is read next; null until the device's position was read. */
    private PageCursor logCursor;
    /** Log entries whose id is older than this (id timestamp bits) are skipped; 0 = none. */
    private long logFloor;
    /** Log entries looked at in this round (bounded by conn.broadcast-replay-max). */
    private int logSeen;
    private boolean logReading;
    private boolean logDone;
    /** The round's bound stopped the log before its end: the replay goes on in the next round. */
    private boolean logCut;
    /** A log read failed: the rest is replayed by a later re-drain. */
    private boolean logFailed;
    private List<InboxEntry> logPage = EMPTY;
    private int logAt;
    /** The log position reached by pages whose entries are all written or skipped (-1: none yet). */
    private long logReached = -1;
    /** The last message id written from the log, 0 when none. */
    private long lastReplayed;
    /** The device already ACKed {@link #lastReplayed} while the catch-up ran. */
    private boolean lastReplayedAcked;
    /** Whether the entry {@link #next} returned last came from the inbox. */
    private boolean lastFromInbox;

    private PendingDrain(int maxPending, long lastSeenHint, boolean redrain, boolean tagsLoaded, boolean inbox,
                         boolean log, PageCursor logFrom) {
        this.maxPending = maxPending;
        this.lastSeenHint = lastSeenHint;
        this.redrain = redrain;
        this.tagsLoaded = tagsLoaded;
        this.inboxDone = !inbox;
        this.logCursor = logFrom;
        this.logDone = !log;
    }

    /**
     * The catch-up of a CONNECT. {@code lastSeenHint}: the CONNECT's last received id;
     * {@code waitForTags}: the log is matched only once {@link #tagsLoaded} was called;
     * {@code log}: the broadcast log is replayed (from the device's position, read first).
     */
    static PendingDrain afterConnect(int maxPending, long lastSeenHint, boolean waitForTags, boolean log) {
        return new PendingDrain(maxPending, lastSeenHint, false, !waitForTags, true, log, null);
    }

    /**
     * A live session's inbox written again, from its start, and with {@code log} the broadcast log
     * from {@code logFrom} (null: from the device's position, read first).
     */
    static PendingDrain redrain(int maxPending, boolean log, PageCursor logFrom) {
        return new PendingDrain(maxPending, 0, true, true, true, log, logFrom);
    }

    /**
     * The round that follows this one at once on the same connection, a re-drain that writes none of
     * the ids this one wrote: the inbox again from its start with {@code inbox} (this round's held
     * pushes then stay held behind it), and with {@code log} the log from where this round left it
     * (or, if this round did not read it, from {@code logFrom}).
     */
    PendingDrain next(boolean inbox, boolean log, PageCursor logFrom) {
        boolean continues = logCursor != null;
        PendingDrain d = new PendingDrain(maxPending, 0, true, true, inbox, log, continues ? logCursor : logFrom);
        if (continues) {
            d.logFloor = logFloor;
        }
        d.written = written;
        if (inbox) {
            d.pending = pending;
        }
        return d;
    }

    boolean isRedrain() {
        return redrain;
    }

    /** @return false when the bound is reached (the message stays in the inbox) */
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

    /** Records {@code id} as written; false when it was already. */
    boolean firstWrite(long id) {
        if (written == null) {
            written = new HashSet<>();
        }
        return written.add(id);
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

    /**
     * Whether a copy stored from now on may be missed by this round: the round does not read the
     * inbox, or already sent an inbox read to Redis. A read in flight may have run before the copy
     * was stored, even if its answer has not come back yet; only a round that has not read the inbox
     * at all is sure to find it.
     */
    boolean mayMissNewCopies() {
        return inboxDone || inboxReadIssued;
    }

    /** Starts an inbox read; returns where it starts. */
    PageCursor inboxReadStarted() {
        inboxReading = true;
        inboxReadIssued = true;
        return inboxCursor;
    }

    /**
     * An inbox page arrived: the next read starts at {@code next}, and {@code deliverable} (its
     * entries still worth writing) go into the merge; {@code last}: the inbox had nothing after it.
     */
    void inboxPageRead(List<InboxEntry> deliverable, PageCursor next, boolean last) {
        inboxCursor = next;
        inboxReading = false;
        inboxPage = deliverable;
        inboxAt = 0;
        inboxDone = last;
    }

    /** An inbox read failed: the inbox source ends here (the caller says when it is tried again). */
    void inboxFailed() {
        inboxPageRead(EMPTY, inboxCursor, true);
    }

    /** Starts a log read; returns where it starts, null when the device's position is still to be read. */
    PageCursor logReadStarted() {
        logReading = true;
        return logCursor;
    }

    /** The device's position was read: the log is read from {@code cursor}, skipping ids older than {@code floor}. */
    void logStartsAt(PageCursor cursor, long floor) {
        logCursor = cursor;
        logFloor = floor;
    }

    /** Whether a log entry is older (by its id's time) than what a device without a position replays. */
    boolean tooOld(long id) {
        return logFloor != 0 && idTime(id) < logFloor;
    }

    /** How many log entries the next read asks for: a page, within what is left of this round's {@code replayMax}. */
    int logWant(int page, int replayMax) {
        return Math.min(page, replayMax - logSeen);
    }

    /**
     * A log page was handled: {@code looked} entries looked at, of which {@code deliverable} (with
     * their bodies) go into the merge; the next read starts at {@code next}. The log ends when the
     * page was its last, or is cut when this round looked at {@code replayMax} entries.
     */
    void logPageRead(List<InboxEntry> deliverable, PageCursor next, int looked, boolean last, int replayMax) {
        logSeen += looked;
        logCursor = next;
        if (looked > 0) {
            logReached = next.position();
        }
        logCut = !last && logSeen >= replayMax;
        logReading = false;
        logPage = deliverable;
        logAt = 0;
        logDone = last || logCut;
    }

    /** A log read failed: the log source ends here; {@link #logReached} stays where it was. */
    void logFailed() {
        logFailed = true;
        logReading = false;
        logDone = true;
    }

    boolean logCut() {
        return logCut;
    }

    boolean logFailedEarly() {
        return logFailed;
    }

    /** The log position up to which every entry was written or skipped; -1 when no log page was used. */
    long logReached() {
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

    /**
     * The next entry to write, or null when a source needs its next page first ({@link #needsInbox},
     * {@link #needsLog}) or everything was written ({@link #finished}). An id written before (in the
     * other source, or by an earlier round) is passed over.
     */
    InboxEntry next() {
        while (true) {
            InboxEntry a = inboxAt < inboxPage.size() ? inboxPage.get(inboxAt) : null;
            InboxEntry b = logAt < logPage.size() ? logPage.get(logAt) : null;
            if ((a == null && !inboxDone) || (b == null && !logDone) || (a == null && b == null)) {
                return null;
            }
            if (b == null || (a != null && idTime(a.id()) <= idTime(b.id()))) {
                inboxAt++;
                if (firstWrite(a.id())) {
                    lastFromInbox = true;
                    return a;
                }
                continue;
            }
            logAt++;
            lastReplayed = b.id(); // written now or earlier on this connection: its ACK shows the device has it
            lastReplayedAcked = false;
            if (firstWrite(b.id())) {
                lastFromInbox = false;
                return b;
            }
        }
    }

    /** Whether the entry {@link #next} returned last came from the inbox. */
    boolean fromInbox() {
        return lastFromInbox;
    }

    /** Whether {@code id} was written by this catch-up (a held copy of it is not written again). */
    boolean wasWritten(long id) {
        return written != null && written.contains(id);
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

    /** The millisecond an id was made, as its timestamp bits say (unsigned: the top bit is time too). */
    static long idTime(long id) {
        return id >>> ID_TIME_SHIFT;
    }
}
