package io.longlink.conn.broadcast;

import io.lettuce.core.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** What the CONNECT catch-up reads of an app's broadcast log and a device's position in it: {@link BroadcastLog}. */
public interface BroadcastLogs {
    /**
     * One page of log entries.
     *
     * @param members the 20-digit members, in id order
     * @param filters per member: serialized TagFilter, empty = every device, null = missing
     */
    record Page(List<byte[]> members, List<byte[]> filters) {
        static final Page EMPTY = new Page(List.of(), List.of());

        public int size() {
            return members.size();
        }

        public String member(int i) {
            return new String(members.get(i), StandardCharsets.US_ASCII);
        }
    }

    /** The device's ll:seen value, or null when it has none. */
    CompletionStage<String> position(String appKey, String deviceId);

    /** Up to {@code count} entries after {@code afterMember} ("-" = from the start) with their filters. */
    CompletionStage<Page> readPage(String appKey, String afterMember, int count);

    /** Bodies of {@code ids[0..n)}, in order. */
    CompletionStage<List<KeyValue<String, byte[]>>> bodies(long[] ids, int n);

    /** Moves the device's position: the next CONNECT starts after {@code member}. */
    void markSeen(String appKey, String deviceId, String member);
}
