package io.longlink.conn.session;

/**
 * A broadcast-log replay waiting for the device's ACK: when {@code id} (the last replayed message)
 * is ACKed, the device's log position moves to {@code position} (the last log entry looked at).
 */
record ReplayMark(long id, long position) {
}
