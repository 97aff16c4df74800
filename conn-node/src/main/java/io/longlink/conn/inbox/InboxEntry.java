package io.longlink.conn.inbox;

/**
 * One inbox member (or broadcast-log member: same format) at its position, and its message body.
 *
 * @param member   the zset member as stored (20-digit id)
 * @param id       the message id, or 0 when the member is not a valid id
 * @param position the member's score: its position in the inbox or the log (acceptance order)
 * @param body     the serialized Push, or null when the body has expired
 */
public record InboxEntry(String member, long id, long position, byte[] body) {
}
