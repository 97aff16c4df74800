package io.longlink.conn.session;

/**
 * A broadcast-log replay waiting for the device's ACK: when {@code id} (the last replayed message)
 * is ACKed, {@code ll:seen} moves to {@code member} (the last log entry looked at).
 */
record ReplayMark(long id, String member) {
}
