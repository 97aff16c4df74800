package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.broadcast.BroadcastLogs;

/**
 * The device's broadcast-log position ({@code ll:seen}, kept in {@link Session#logPosition}): the
 * log position up to which the device has every entry meant for it, where its next replay starts.
 * It only moves forward within a session. A replay moves it when the device ACKs the last replayed
 * message, written at once (once per catch-up). Event-loop only.
 */
final class SeenPosition {
    private final BroadcastLogs broadcasts;

    SeenPosition(BroadcastLogs broadcasts) {
        this.broadcasts = requireNonNull(broadcasts, "broadcasts");
    }

    /** The position ll:seen held when the catch-up read it. */
    void known(Session s, long position) {
        s.logPosition = Math.max(s.logPosition, position);
    }

    /** The device has every log entry up to {@code position} a replay looked at: written now. */
    void replayed(Session s, long position) {
        if (position > s.logPosition) {
            s.logPosition = position;
            broadcasts.markSeen(s.appKey, s.deviceId, position);
        }
    }
}
