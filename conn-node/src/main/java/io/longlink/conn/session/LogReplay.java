package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lettuce.core.KeyValue;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.broadcast.BroadcastLog;
import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.codec.PushBodies;
import io.longlink.conn.inbox.Inbox;
import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.internal.TagFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcast-log source of a CONNECT catch-up: the device's position (ll:seen) once, then pages
 * of the app's log whose filters match the device's tags (as FanOut would), with their bodies, and
 * at the end the position moved past what was looked at. Each page read hands the catch-up back to
 * {@link CatchUp#pump}. Event-loop only.
 */
final class LogReplay {
    private static final Logger log = LoggerFactory.getLogger(LogReplay.class);

    private final SessionSettings settings;
    private final ConnMetrics metrics;
    private final SessionIndex index;
    private final Inboxes inboxes;
    private final BroadcastLogs broadcasts;
    private final Consumer<Session> pump;

    LogReplay(SessionSettings settings, ConnMetrics metrics, SessionIndex index, Inboxes inboxes,
              BroadcastLogs broadcasts, Consumer<Session> pump) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.index = requireNonNull(index, "index");
        this.inboxes = requireNonNull(inboxes, "inboxes");
        this.broadcasts = requireNonNull(broadcasts, "broadcasts");
        this.pump = requireNonNull(pump, "pump");
    }

    /** The position first (once), then a page. Runs only after the device's tags are in the index. */
    void read(Session s, PendingDrain d) {
        String after = d.logReadStarted();
        if (after != null) {
            readPage(s, d, after);
            return;
        }
        metrics.replays.inc();
        broadcasts.position(s.appKey, s.deviceId).whenComplete((seen, err) -> s.onLoop(() -> {
            if (!usable(s, d, err)) {
                return;
            }
            String start = BroadcastLog.start(seen, d.lastSeenHint());
            d.logStartsAt(start);
            readPage(s, d, start);
        }));
    }

    private void readPage(Session s, PendingDrain d, String after) {
        int want = d.logWant(settings.replayPage(), settings.replayMax());
        broadcasts.readPage(s.appKey, after, want)
                .whenComplete((page, err) -> s.onLoop(() -> pageRead(s, d, page, err, want)));
    }

    /** Keeps the entries whose filter matches the device's tags, then fetches their bodies. */
    private void pageRead(Session s, PendingDrain d, BroadcastLogs.Page page, Throwable err, int asked) {
        if (!usable(s, d, err)) {
            return;
        }
        int n = page.size();
        boolean last = d.logEntriesSeen(n, asked, settings.replayMax());
        if (n == 0) {
            d.logPage(List.of(), true);
            pump.accept(s);
            return;
        }
        long[] ids = new long[n];
        String[] members = new String[n];
        int matched = 0;
        for (int i = 0; i < n; i++) {
            String member = page.member(i);
            long id = Inbox.parseMember(member);
            byte[] filter = page.filters().get(i);
            if (id == 0 || filter == null) {
                metrics.replayUnreadable.inc();
                continue;
            }
            if (filter.length > 0 && !forDevice(s, filter)) { // empty = every device of the app
                continue;
            }
            ids[matched] = id;
            members[matched++] = member;
        }
        String reached = page.member(n - 1);
        int count = matched;
        broadcasts.bodies(ids, count).whenComplete((bodies, e) -> s.onLoop(
                () -> bodiesRead(s, d, ids, members, count, bodies, e, reached, last)));
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

    private void bodiesRead(Session s, PendingDrain d, long[] ids, String[] members, int n,
                            List<KeyValue<String, byte[]>> bodies, Throwable err, String reached, boolean last) {
        if (!usable(s, d, err)) {
            return;
        }
        long now = System.currentTimeMillis();
        List<InboxEntry> deliverable = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
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
                inboxes.countUndelivered(s.appKey, s.deviceId, ids[i]);
                continue;
            }
            deliverable.add(new InboxEntry(members[i], ids[i], body));
        }
        d.logPageRead(deliverable, reached, last); // every entry up to reached is written below or skipped
        pump.accept(s);
    }

    /**
     * Whether a reply is still wanted and came: false when its catch-up is over, or when the read
     * failed (then the catch-up goes on without the rest of the log, which the next CONNECT replays).
     */
    private boolean usable(Session s, PendingDrain d, Throwable err) {
        if (!CatchUp.catchingUp(s, d)) {
            return false;
        }
        if (err != null) {
            failed(s, d, err);
            return false;
        }
        return true;
    }

    private void failed(Session s, PendingDrain d, Throwable err) {
        metrics.redisError("broadcast_log");
        log.warn("broadcast-log replay stopped early; the rest comes with the next CONNECT app={} device={}"
                + " error=\"{}\"", s.appKey, s.deviceId, err.toString());
        d.logFinished();
        pump.accept(s);
    }

    /**
     * The catch-up ended: moves ll:seen past the entries looked at, at once when none was written
     * (or the device already ACKed the last one), else when the device ACKs the last replayed id
     * ({@link AckHandler}), so that an entry the device never received is replayed on its next CONNECT.
     */
    void ended(Session s, PendingDrain d) {
        String reached = d.logReached();
        if (reached == null) {
            return;
        }
        long awaiting = d.replayAwaitingAck();
        if (awaiting == 0) {
            broadcasts.markSeen(s.appKey, s.deviceId, reached);
        } else {
            s.replayMark = new ReplayMark(awaiting, reached);
        }
    }
}
