package io.longlink.conn.broadcast;

import io.lettuce.core.KeyValue;
import io.longlink.conn.inbox.PageCursor;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the session layer reads of an app's broadcast log and writes of a device's position in it,
 * and the ACKs of tag and broadcast copies: {@link BroadcastLog}.
 */
public interface BroadcastLogs {
    /**
     * One page of log entries, in position order.
     *
     * @param members   the 20-digit members
     * @param positions per member: its log position
     * @param filters   per member: serialized TagFilter, empty = every device, null = missing
     * @param next      where the page after this one starts
     * @param last      nothing followed this page when it was read
     */
    record Page(List<String> members, long[] positions, List<byte[]> filters, PageCursor next, boolean last) {
        public int size() {
            return members.size();
        }
    }

    /** The device's ll:seen value as stored (a log position, or a 20-digit member written before positions), or null. */
    CompletionStage<String> position(String appKey, String deviceId);

    /** Up to {@code count} entries after {@code after} with their positions and filters. */
    CompletionStage<Page> readPage(String appKey, PageCursor after, int count);

    /** Bodies of {@code ids[0..n)}, in order. */
    CompletionStage<List<KeyValue<String, byte[]>>> bodies(long[] ids, int n);

    /** Moves the device's position: its next replay starts after {@code position}. */
    void markSeen(String appKey, String deviceId, long position);

    /** The device acknowledged a tag or broadcast copy of message {@code id} (it has no inbox entry). */
    void acked(String appKey, String deviceId, long id);
}
