package io.longlink.conn.inbox;

import java.util.concurrent.CompletionStage;

/** What the session layer does with device inboxes: {@link Inbox} in Redis. */
public interface Inboxes {
    /** Up to {@code count} entries after {@code after}, in position order, with their bodies. */
    CompletionStage<InboxPage> readPage(String appKey, String deviceId, PageCursor after, int count);

    /**
     * Removes ACKed ids; each removal that happened counts once. Never dropped: when the node's Redis
     * queue has no room the removal waits, and {@code queuedLater} runs (on another thread) once it is queued.
     *
     * @return true when queued now; false when it waits (the caller stops reading from the device)
     */
    boolean ack(String appKey, String deviceId, long[] ids, Runnable queuedLater);

    /** Counts a live copy the device acknowledged before the router wrote it anywhere. */
    void ackedLive(String appKey, String deviceId, long id);

    /**
     * A live copy the device acknowledged after its wait ended: the router stores it in the inbox about
     * now, maybe after this. Removes the entry, or, when it is not there yet, marks the copy acknowledged
     * so that the router's write skips it; counted once either way.
     */
    void ackedLate(String appKey, String deviceId, long id);

    /** Removes an entry whose body expired or does not parse. */
    void expire(String appKey, String deviceId, InboxEntry entry);

    /** Counts one copy of message {@code id} not delivered to the device because its body is gone. */
    void countUndelivered(String appKey, String deviceId, long id);
}
