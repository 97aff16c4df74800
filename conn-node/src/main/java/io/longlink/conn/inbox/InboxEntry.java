package io.longlink.conn.inbox;

/**
 * One inbox member (or broadcast-log member: same format) and its message body.
 *
 * @param member the zset member as stored (20-digit id)
 * @param id     the message id, or 0 when the member is not a valid id
 * @param body   the serialized Push, or null when the body has expired
 */
public record InboxEntry(String member, long id, byte[] body) {
}
