package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.PushBodies;
import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session missed, written before its live traffic: after CONNACK the inbox drain merged with
 * the broadcast-log replay ({@link LogReplay}), and on a live session the inbox again after a push
 * was refused on a full socket. Live deliveries meanwhile are held (up to conn.pending-max) and
 * follow the catch-up, without the ids it wrote. The session's {@link PendingDrain} is owned here.
 *
 * <p>Event-loop only: every store reply hops back onto the session's loop and is dropped when the
 * catch-up it belongs to is over.
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
            BroadcastLogs broadcasts, FrameWriter writer, ConnectRefusals refusals) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.inboxes = requireNonNull(inboxes, "inboxes");
        this.writer = requireNonNull(writer, "writer");
        this.refusals = requireNonNull(refusals, "refusals");
        this.replay = new LogReplay(settings, metrics, index, inboxes, broadcasts, this::pump);
    }

    /** Before the session is registered: from then on live deliveries are held for the catch-up. */
    void prepare(Session s, long lastMessageId) {
        s.inboxDrain = PendingDrain.afterConnect(settings.pendingMax(), lastMessageId, settings.maxTags() > 0);
    }

    /** CONNACK went out: the catch-up starts writing. */
    void start(Session s) {
        metrics.inboxDrains.inc();
        if (settings.replayMax() == 0) {
            s.inboxDrain.logFinished();
        }
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

    /** A live push that arrived during the catch-up; false when the bound is reached (it stays in the inbox). */
    boolean hold(Session s, Push push) {
        PendingDrain d = s.inboxDrain;
        return d != null && d.hold(push);
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
     * A live push was REJECTED while the channel was not writable, and now it is: that push (and any
     * other refused meanwhile) is only in the inbox, so the inbox is written again with the CONNECT
     * machinery (pages in id order, live pushes held behind it). Ids already written on this
     * connection are written again; the device drops them by id. The session is DRAINING meanwhile,
     * so at most one re-drain runs at a time, and it needs no timer: the next writability change or
     * page read drives it.
     */
    void redrain(Session s) {
        s.inboxDrain = PendingDrain.redrain(settings.pendingMax());
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
     * goes live when both are finished. Called after CONNACK and whenever a page or the tags arrive.
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
            replay.ended(s, d);
            goLive(s);
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
        d.drained(e.id());
        if (d.fromInbox(e)) {
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
        int want = d.inboxWant(settings.inboxPage(), settings.inboxDrainMax());
        String after = d.inboxReadStarted();
        inboxes.readPage(s.appKey, s.deviceId, after, want)
                .whenComplete((page, err) -> s.onLoop(() -> inboxPageRead(s, d, page, err, want)));
    }

    private void inboxPageRead(Session s, PendingDrain d, List<InboxEntry> page, Throwable err, int asked) {
        if (!catchingUp(s, d)) {
            return;
        }
        if (err != null) {
            if (d.isRedrain()) {
                // the connection is fine and was live: stay live, the rest of the inbox comes with the next CONNECT
                metrics.redisError("inbox_redrain");
                log.warn("inbox re-drain stopped early app={} device={} error=\"{}\"", s.appKey, s.deviceId,
                        err.toString());
                goLive(s);
                return;
            }
            // going live without the inbox would put live messages before older ones: retry on reconnect
            refusals.storeFailed(s, "inbox", err);
            return;
        }
        long now = System.currentTimeMillis();
        List<InboxEntry> deliverable = new ArrayList<>(page.size());
        for (InboxEntry e : page) {
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
            deliverable.add(e);
        }
        d.inboxPageRead(page, deliverable, asked, settings.inboxDrainMax());
        pump(s);
    }

    /** The catch-up is over: the held live pushes follow it, without those it already wrote. */
    private void goLive(Session s) {
        PendingDrain d = s.inboxDrain;
        s.inboxDrain = null;
        s.state = Session.LIVE;
        ArrayDeque<Push> held = d == null ? null : d.pending();
        if (held == null) {
            return;
        }
        for (Push p : held) {
            if (!d.wasDrained(p.getMessageId())) {
                writer.writeLive(s, p);
            }
        }
        s.channel.flush();
    }
}
