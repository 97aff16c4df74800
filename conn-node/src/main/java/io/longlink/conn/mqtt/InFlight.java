package io.longlink.conn.mqtt;

import java.util.Arrays;

/**
 * The QoS 1 PUBLISHes of one MQTT connection that wait for their PUBACK: packet id -> message id.
 * Packet id {@code n} lives in slot {@code n - 1}, so a free slot is a free packet id. The slots start
 * small and grow up to the limit; the owner drops the whole object once it is empty, so an idle
 * connection holds none. Event-loop only.
 */
final class InFlight {
    private static final int FIRST_SLOTS = 8;

    private final int limit;
    private long[] ids; // message id per slot, 0 = free (message ids are never 0)
    private int count;
    private int cursor;

    /** @param limit most packet ids in flight, 1..65535 */
    InFlight(int limit) {
        if (limit < 1 || limit > 65_535) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1..65535)");
        }
        this.limit = limit;
        this.ids = new long[Math.min(FIRST_SLOTS, limit)];
    }

    /** @return the packet id now holding {@code messageId}, or 0 when {@code limit} are in flight */
    int add(long messageId) {
        if (messageId == 0 || count == limit) {
            return 0;
        }
        if (count == ids.length) {
            cursor = ids.length;
            ids = Arrays.copyOf(ids, Math.min(limit, ids.length * 2));
        }
        // round robin from the last slot taken: a packet id is not reused right after its PUBACK
        for (int i = 0; i < ids.length; i++) {
            int slot = (cursor + i) % ids.length;
            if (ids[slot] == 0) {
                ids[slot] = messageId;
                count++;
                cursor = slot + 1;
                return slot + 1;
            }
        }
        throw new IllegalStateException("no free slot with " + count + " of " + ids.length + " taken");
    }

    /** @return the message id the PUBACK of {@code packetId} acknowledges, or 0 when none is in flight under it */
    long remove(int packetId) {
        int slot = packetId - 1;
        if (slot < 0 || slot >= ids.length) {
            return 0;
        }
        long id = ids[slot];
        if (id != 0) {
            ids[slot] = 0;
            count--;
        }
        return id;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int size() {
        return count;
    }
}
