package io.longlink.conn.inbox;

import java.util.concurrent.CompletionStage;

/** What the session layer does with device inboxes: {@link Inbox} in Redis. */
public interface Inboxes {
    /** Up to {@code count} entries after {@code after}, in position order, with their bodies. */
    CompletionStage<InboxPage> readPage(String appKey, String deviceId, PageCursor after, int count);

    /** Removes ACKed ids; each removal that happened counts once. */
    void ack(String appKey, String deviceId, long[] ids);

    /** Counts a live copy the device acknowledged before the router wrote it anywhere. */
    void ackedLive(String appKey, String deviceId, long id);

    /** Removes an entry whose body expired or does not parse. */
    void expire(String appKey, String deviceId, InboxEntry entry);

    /** Counts one copy of message {@code id} not delivered to the device because its body is gone. */
    void countUndelivered(String appKey, String deviceId, long id);
}
