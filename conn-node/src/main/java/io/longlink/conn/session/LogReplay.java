package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lettuce.core.KeyValue;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.codec.PushBodies;
import io.longlink.conn.inbox.Inbox;
import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.internal.TagFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcast-log source of a catch-up: the device's position (ll:seen) when the round does not
 * know it, then pages of the app's log in position order whose filters match the device's tags (as
 * FanOut would), with their bodies, and at the end the position moved past what was looked at. A
 * device without a position replays the log from its start, skipping only ids older than its
 * CONNECT's last_message_id by more than conn.replay-skew-ms. Each page read hands the catch-up
 * back to {@link CatchUp#pump}. Event-loop only.
 */
final class LogReplay {
    private static final Logger log = LoggerFactory.getLogger(LogReplay.class);

    private final SessionSettings settings;
    private final ConnMetrics metrics;
    private final SessionIndex index;
    private final Inboxes inboxes;
    private final BroadcastLogs broadcasts;
    private final SeenPosition seen;
    private final Consumer<Session> pump;

    LogReplay(SessionSettings settings, ConnMetrics metrics, SessionIndex index, Inboxes inboxes,
              BroadcastLogs broadcasts, SeenPosition seen, Consumer<Session> pump) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.index = requireNonNull(index, "index");
        this.inboxes = requireNonNull(inboxes, "inboxes");
        this.broadcasts = requireNonNull(broadcasts, "broadcasts");
        this.seen = requireNonNull(seen, "seen");
        this.pump = requireNonNull(pump, "pump");
    }

    /** The position first (when not known), then a page. Runs only after the device's tags are in the index. */
    void read(Session s, PendingDrain d) {
        PageCursor after = d.logReadStarted();
        if (after != null) {
            readPage(s, d, after);
            return;
        }
        metrics.replays.inc();
        broadcasts.position(s.appKey, s.deviceId).whenComplete((stored, err) -> s.onLoop(() -> {
            if (!usable(s, d, err)) {
                return;
            }
            long position = storedPosition(stored);
            if (position > 0) {
                seen.known(s, position);
                d.logStartsAt(PageCursor.after(position), 0);
            } else {
                d.logStartsAt(PageCursor.START, floor(Math.max(d.lastSeenHint(), storedMember(stored))));
            }
            readPage(s, d, d.logReadStarted());
        }));
    }

    /** A position ll:seen holds, or 0 (none, unreadable, or a member written before positions existed). */
    static long storedPosition(String stored) {
        if (stored == null || storedMember(stored) != 0) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(stored));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The message id of an ll:seen written before positions existed (a 20-digit member), else 0. */
    private static long storedMember(String stored) {
        return stored != null && stored.length() == 20 ? Inbox.parseMember(stored) : 0;
    }

    /** The id time below which a device without a position skips log entries: its hint's minus the skew; 0 = none. */
    private long floor(long hint) {
        long floor = hint == 0 ? 0 : PendingDrain.idTime(hint) - settings.replaySkewMs();
        return Math.max(0, floor);
    }

    private void readPage(Session s, PendingDrain d, PageCursor after) {
        int want = d.logWant(settings.replayPage(), settings.replayMax());
        broadcasts.readPage(s.appKey, after, want).whenComplete((page, err) -> s.onLoop(() -> pageRead(s, d, page, err)));
    }

    /** Keeps the entries whose filter matches the device's tags, then fetches their bodies. */
    private void pageRead(Session s, PendingDrain d, BroadcastLogs.Page page, Throwable err) {
        if (!usable(s, d, err)) {
            return;
        }
        int n = page.size();
        if (n == 0) {
            d.logPageRead(List.of(), page.next(), 0, page.last(), settings.replayMax());
            pump.accept(s);
            return;
        }
        long[] ids = new long[n];
        String[] members = new String[n];
        long[] positions = new long[n];
        int matched = 0;
        for (int i = 0; i < n; i++) {
            String member = page.members().get(i);
            long id = Inbox.parseMember(member);
            byte[] filter = page.filters().get(i);
            if (id == 0 || filter == null) {
                metrics.replayUnreadable.inc();
                continue;
            }
            if (d.tooOld(id)) {
                metrics.replayOlderThanHint.inc();
                continue;
            }
            if (filter.length > 0 && !forDevice(s, filter)) { // empty = every device of the app
                continue;
            }
            ids[matched] = id;
            positions[matched] = page.positions()[i];
            members[matched++] = member;
        }
        int count = matched;
        broadcasts.bodies(ids, count).whenComplete((bodies, e) -> s.onLoop(
                () -> bodiesRead(s, d, new Matched(ids, members, positions, count), bodies, e, page)));
    }

    /** The entries of one page that are for the device, before their bodies are read. */
    private record Matched(long[] ids, String[] members, long[] positions, int count) {
    }

    /** Whether a log entry's filter addresses the device; an unreadable filter addresses nobody. */
    private boolean forDevice(Session s, byte[] filter) {
        TagFilter f;
        try {
            f = TagFilter.parseFrom(filter);
        } catch (InvalidProtocolBufferException e) {
            metrics.replayUnreadable.inc();
            return false;
        }
        if (!index.matches(s, f)) {
            metrics.replayNotForDevice.inc();
            return false;
        }
        return true;
    }

    private void bodiesRead(Session s, PendingDrain d, Matched m, List<KeyValue<String, byte[]>> bodies,
                            Throwable err, BroadcastLogs.Page page) {
        if (!usable(s, d, err)) {
            return;
        }
        long now = System.currentTimeMillis();
        List<InboxEntry> deliverable = new ArrayList<>(m.count());
        for (int i = 0; i < m.count(); i++) {
            KeyValue<String, byte[]> kv = bodies.get(i);
            byte[] body = kv.hasValue() && RedisKeys.isBody(kv.getValue()) ? kv.getValue() : null;
            long expiresAt = 0;
            if (body != null) {
                try {
                    expiresAt = PushBodies.expiresAtMs(body);
                } catch (InvalidProtocolBufferException ex) {
                    metrics.replayUnreadable.inc();
                    continue;
                }
            }
            if (body == null || (expiresAt != 0 && expiresAt < now)) {
                metrics.replayGone.inc(); // expired or revoked: skipped, and counted once the stat says which
                inboxes.countUndelivered(s.appKey, s.deviceId, m.ids()[i]);
                continue;
            }
            deliverable.add(new InboxEntry(m.members()[i], m.ids()[i], m.positions()[i], body));
        }
        // every entry of the page is written below or skipped
        d.logPageRead(deliverable, page.next(), page.size(), page.last(), settings.replayMax());
        pump.accept(s);
    }

    /**
     * Whether a reply is still wanted and came: false when its round is over, or when the read failed
     * (then the round goes on without the rest of the log, which a later re-drain replays).
     */
    private boolean usable(Session s, PendingDrain d, Throwable err) {
        if (!CatchUp.catchingUp(s, d)) {
            return false;
        }
        if (err != null) {
            metrics.redisError("broadcast_log");
            log.warn("broadcast-log replay stopped early; retried with the route renewal app={} device={}"
                    + " error=\"{}\"", s.appKey, s.deviceId, err.toString());
            d.logFailed();
            pump.accept(s);
            return false;
        }
        return true;
    }

    /**
     * The round ended: the device's position moves past the entries looked at, at once when none was
     * written (or the device already ACKed the last one), else when the device ACKs the last replayed
     * id ({@link AckHandler}), so that an entry the device never received is replayed again. A replay
     * cut by its bound goes on in the next round; one that failed, with a later re-drain.
     */
    void ended(Session s, PendingDrain d) {
        if (d.logCut() || d.logFailedEarly()) {
            s.flags |= Session.F_LOG_GAP; // a cut replay goes on at once (CatchUp), a failed one later
        }
        long reached = d.logReached();
        if (reached < 0) {
            return;
        }
        long awaiting = d.replayAwaitingAck();
        ReplayMark earlier = s.replayMark;
        if (d.lastReplayed() == 0 && earlier != null) {
            awaiting = earlier.id(); // this round wrote nothing; an earlier round's last id is not ACKed yet
        }
        if (awaiting == 0) {
            s.replayMark = null;
            seen.replayed(s, reached);
        } else {
            s.replayMark = new ReplayMark(awaiting, reached);
        }
    }
}
