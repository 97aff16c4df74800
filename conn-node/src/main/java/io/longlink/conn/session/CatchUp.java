package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.PushBodies;
import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.InboxPage;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session missed, written before its live traffic: after CONNACK the whole inbox merged with
 * the broadcast-log replay ({@link LogReplay}); on a live session a re-drain, the inbox again (and
 * the log when a copy of it may be missing) after a stored copy did not reach the device. Live
 * deliveries meanwhile are held (up to conn.pending-max) and follow the round, without the ids it
 * wrote. A round that leaves something behind (a push refused while holding was full, a replay cut at
 * conn.broadcast-replay-max) is followed at once by another, so nothing stored waits for the next
 * CONNECT while the device stays connected. The session's {@link PendingDrain} is owned here.
 *
 * <p>Event-loop only: every store reply hops back onto the session's loop and is dropped when the
 * round it belongs to is over.
 */
final class CatchUp {
    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);

    private final SessionSettings settings;
    private final ConnMetrics metrics;
    private final Inboxes inboxes;
    private final LogReplay replay;
    private final FrameWriter writer;
    private final ConnectRefusals refusals;

    CatchUp(SessionSettings settings, ConnMetrics metrics, SessionIndex index, Inboxes inboxes,
            BroadcastLogs broadcasts, SeenPosition seen, FrameWriter writer, ConnectRefusals refusals) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.inboxes = requireNonNull(inboxes, "inboxes");
        this.writer = requireNonNull(writer, "writer");
        this.refusals = requireNonNull(refusals, "refusals");
        this.replay = new LogReplay(settings, metrics, index, inboxes, broadcasts, seen, this::pump);
    }

    private boolean replaysLog() {
        return settings.replayMax() > 0;
    }

    /** Before the session is registered: from then on live deliveries are held for the catch-up. */
    void prepare(Session s, long lastMessageId) {
        s.inboxDrain = PendingDrain.afterConnect(settings.pendingMax(), lastMessageId, settings.maxTags() > 0,
                replaysLog());
    }

    /** CONNACK went out: the catch-up starts writing. */
    void start(Session s) {
        metrics.inboxDrains.inc();
        pump(s);
    }

    /** The device's tags are in the index: the broadcast-log replay, which waited for them, may start. */
    void tagsLoaded(Session s) {
        PendingDrain d = s.inboxDrain;
        if (d != null) {
            d.tagsLoaded();
            pump(s);
        }
    }

    /**
     * A live push that arrived during the catch-up; false when the bound is reached: then the inbox
     * is written again once this round ends (the push, stored before it was sent, is there).
     */
    boolean hold(Session s, Push push) {
        PendingDrain d = s.inboxDrain;
        if (d != null && d.hold(push)) {
            return true;
        }
        s.flags |= Session.F_REDRAIN;
        return false;
    }

    /**
     * A copy of a logged tag or broadcast push did not reach the session (a full socket or a full
     * held queue): a re-drain replays the log once the socket is writable or the round ends.
     */
    void missedLogged(Session s) {
        if (replaysLog()) {
            s.flags |= Session.F_REDRAIN | Session.F_LOG_GAP;
            metrics.logGaps.inc();
        }
    }

    /**
     * Stored copies may be in the inbox that the device was not sent (a router asks, or the route
     * was claimed again after it vanished): a live session re-drains now; a catching-up one once its
     * round ends, unless the round has not sent its inbox read yet and so finds them itself (a read
     * already sent may have run in Redis before they were stored, even while its answer is on the way).
     */
    void requestRedrain(Session s) {
        if (s.state == Session.LIVE) {
            redrain(s);
            return;
        }
        PendingDrain d = s.inboxDrain;
        if (d == null || d.mayMissNewCopies()) {
            s.flags |= Session.F_REDRAIN;
        }
    }

    /** The socket drained: true when a catch-up was waiting for that and goes on. */
    boolean resume(Session s) {
        PendingDrain d = s.inboxDrain;
        if (s.state != Session.DRAINING || d == null || !d.resumeWhenWritable()) {
            return false;
        }
        pump(s);
        return true;
    }

    /**
     * Writes the inbox again on a live session, from its start (pages in position order, live pushes
     * held behind it), and the broadcast log from the device's position when a copy of it may be
     * missing ({@link Session#F_LOG_GAP}). Ids already written on this connection are written again;
     * the device drops them by id. The session is DRAINING meanwhile, so at most one round runs at a
     * time, and it needs no timer: the next writability change or page read drives it.
     */
    void redrain(Session s) {
        redrain(s, null);
    }

    /** As {@link #redrain(Session)}, with {@code held} (if not null) held behind it from the start. */
    void redrain(Session s, Push held) {
        PendingDrain d = PendingDrain.redrain(settings.pendingMax(), logGap(s), logFrom(s));
        if (held != null) {
            d.hold(held);
        }
        begin(s, d);
    }

    /** Whether the next round replays the log; the flag is cleared here and set again if that replay falls short. */
    private boolean logGap(Session s) {
        boolean gap = (s.flags & Session.F_LOG_GAP) != 0 && replaysLog();
        s.flags &= (byte) ~(Session.F_REDRAIN | Session.F_LOG_GAP);
        return gap;
    }

    /** Where a re-drain reads the log from: after the device's position, or from ll:seen when none is known. */
    private static PageCursor logFrom(Session s) {
        return s.logPosition > 0 ? PageCursor.after(s.logPosition) : null;
    }

    private void begin(Session s, PendingDrain d) {
        s.inboxDrain = d;
        s.state = Session.DRAINING;
        metrics.inboxRedrains.inc();
        pump(s);
    }

    /** The last replayed id while the catch-up runs, else 0. */
    long lastReplayed(Session s) {
        PendingDrain d = s.inboxDrain;
        return d == null ? 0 : d.lastReplayed();
    }

    /** The device ACKed {@link #lastReplayed} before the catch-up ended. */
    void lastReplayedAcked(Session s) {
        PendingDrain d = s.inboxDrain;
        if (d != null) {
            d.lastReplayedAcked();
        }
    }

    void closed(Session s) {
        s.inboxDrain = null; // held deliveries are still in the inbox
    }

    static boolean catchingUp(Session s, PendingDrain d) {
        return d != null && s.inboxDrain == d && s.state == Session.DRAINING && !s.isClosingOrClosed();
    }

    /**
     * Writes whatever the merge can give, then reads the next page of the source it waits for, or
     * ends the round when both are finished. Called after CONNACK and whenever a page or the tags arrive.
     */
    void pump(Session s) {
        PendingDrain d = s.inboxDrain;
        if (!catchingUp(s, d)) {
            return;
        }
        boolean wrote = false;
        for (InboxEntry e = d.next(); e != null; e = d.next()) {
            write(s, d, e);
            wrote = true;
        }
        if (wrote) {
            s.channel.flush();
        }
        if (d.finished()) {
            ended(s, d);
            return;
        }
        if (!s.channel.isWritable()) {
            d.waitForWritable(); // resumed by resume(); a reader that never drains is a slow reader
            return;
        }
        if (d.wantsInboxPage()) {
            readInboxPage(s, d);
        }
        if (d.wantsLogPage()) {
            replay.read(s, d);
        }
    }

    private void write(Session s, PendingDrain d, InboxEntry e) {
        if (d.fromInbox()) {
            if (d.redelivered(e.id())) {
                metrics.inboxRedelivered.inc();
            }
            metrics.inboxDrained.inc();
            metrics.pushesInbox.inc();
        } else {
            metrics.replayWritten.inc();
            metrics.pushesReplay.inc();
        }
        writer.write(s, FrameType.PUSH, Frames.encodeRaw(s.channel.alloc(), FrameType.PUSH, e.body()));
    }

    private void readInboxPage(Session s, PendingDrain d) {
        PageCursor after = d.inboxReadStarted();
        inboxes.readPage(s.appKey, s.deviceId, after, settings.inboxPage())
                .whenComplete((page, err) -> s.onLoop(() -> inboxPageRead(s, d, page, err)));
    }

    private void inboxPageRead(Session s, PendingDrain d, InboxPage page, Throwable err) {
        if (!catchingUp(s, d)) {
            return;
        }
        if (err != null) {
            if (d.isRedrain()) {
                // the connection is fine and was live: it stays; the next route renewal tries again
                metrics.redisError("inbox_redrain");
                log.warn("inbox re-drain stopped early; retried with the route renewal app={} device={} error=\"{}\"",
                        s.appKey, s.deviceId, err.toString());
                s.flags |= Session.F_LOG_GAP;
                d.inboxFailed();
                pump(s);
                return;
            }
            // going live without the inbox would put live messages before older ones: retry on reconnect
            refusals.storeFailed(s, "inbox", err);
            return;
        }
        d.inboxPageRead(deliverable(s, page.entries()), page.next(), page.last());
        pump(s);
    }

    /** The entries worth writing; those whose body is gone, expired or unreadable leave the inbox. */
    private List<InboxEntry> deliverable(Session s, List<InboxEntry> entries) {
        long now = System.currentTimeMillis();
        List<InboxEntry> out = new ArrayList<>(entries.size());
        for (InboxEntry e : entries) {
            if (e.body() == null || e.id() == 0) {
                inboxes.expire(s.appKey, s.deviceId, e);
                continue;
            }
            long expiresAt;
            try {
                expiresAt = PushBodies.expiresAtMs(e.body());
            } catch (InvalidProtocolBufferException ex) {
                log.warn("unreadable message body removed from inbox app={} device={} id={}", s.appKey, s.deviceId,
                        Long.toUnsignedString(e.id()));
                inboxes.expire(s.appKey, s.deviceId, e);
                continue;
            }
            if (expiresAt != 0 && expiresAt < now) {
                inboxes.expire(s.appKey, s.deviceId, e);
                continue;
            }
            out.add(e);
        }
        return out;
    }

    /**
     * The round is over. When a stored copy did not reach the device meanwhile (a push refused, a
     * re-drain asked for after the round had read the inbox), the next round starts at once: the
     * inbox again, the live pushes this round held still held behind it. Otherwise they follow this
     * round, without those it wrote, and the session is live, unless the log replay was cut at its
     * bound: then it goes on in the next round, behind those pushes (no order binds the log to them).
     * A next round writes none of the ids written before it.
     */
    private void ended(Session s, PendingDrain d) {
        replay.ended(s, d);
        s.inboxDrain = null;
        s.state = Session.LIVE;
        if (s.isClosingOrClosed()) {
            return;
        }
        if ((s.flags & Session.F_REDRAIN) != 0) {
            begin(s, d.next(true, logGap(s), logFrom(s)));
            return;
        }
        ArrayDeque<Push> held = d.pending();
        if (held != null) {
            for (Push p : held) {
                if (d.firstWrite(p.getMessageId())) {
                    writer.writeLive(s, p);
                }
            }
            s.channel.flush();
        }
        if (d.logCut()) {
            begin(s, d.next(false, logGap(s), logFrom(s)));
        }
    }
}
