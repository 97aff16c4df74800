package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.broadcast.FanOutCopies;

/**
 * The device's broadcast-log position ({@code ll:seen}, kept in {@link Session#logPosition}): the
 * log position up to which the device has every entry meant for it, where its next replay starts.
 * It only moves forward within a session. A replay moves it when the device ACKs the last replayed
 * message, written at once (once per catch-up). A live fan-out copy's ACK moves it to that copy's
 * position, if no logged copy went missing since the last replay ({@link Session#F_LOG_GAP}) and no
 * earlier fan-out of the app is still being written on this node ({@link FanOutCopies#through});
 * that is written lazily, with the route renewal and at close, never once per ACK. Event-loop only.
 */
final class SeenPosition {
    private final BroadcastLogs broadcasts;
    private final FanOutCopies copies;

    SeenPosition(BroadcastLogs broadcasts, FanOutCopies copies) {
        this.broadcasts = requireNonNull(broadcasts, "broadcasts");
        this.copies = requireNonNull(copies, "copies");
    }

    /** The position ll:seen held when the catch-up read it. */
    void known(Session s, long position) {
        s.logPosition = Math.max(s.logPosition, position);
    }

    /** The device has every log entry up to {@code position} a replay looked at: written now. */
    void replayed(Session s, long position) {
        if (position > s.logPosition) {
            s.logPosition = position;
            s.flags &= (byte) ~Session.F_SEEN_DIRTY;
            broadcasts.markSeen(s.appKey, s.deviceId, position);
        }
    }

    /** The device ACKed the live fan-out copy at {@code position}: written with the next renewal or at close. */
    void fanOutAcked(Session s, long position) {
        if (s.state != Session.LIVE || s.inboxDrain != null || (s.flags & Session.F_LOG_GAP) != 0) {
            return;
        }
        long to = Math.min(position, copies.through(s.appKey));
        if (to > s.logPosition) {
            s.logPosition = to;
            s.flags |= Session.F_SEEN_DIRTY;
        }
    }

    /** Writes a position the ACKs moved and nothing wrote yet: with the route renewal and when the connection closes. */
    void flush(Session s) {
        if ((s.flags & Session.F_SEEN_DIRTY) != 0) {
            s.flags &= (byte) ~Session.F_SEEN_DIRTY;
            broadcasts.markSeen(s.appKey, s.deviceId, s.logPosition);
        }
    }
}
