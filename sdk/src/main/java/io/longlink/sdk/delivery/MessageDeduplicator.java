package io.longlink.sdk.delivery;

/**
 * Remembers the last {@code capacity} message ids so the app sees each message once although the
 * server delivers at least once (a message whose ACK was lost comes again, often after a reconnect).
 *
 * <p>Only the ids in the ring count as seen, never a comparison: ids are not ordered on the wire
 * (inbox drain and broadcast-log replay go by acceptance order, and ids come from several api-nodes'
 * clocks), so an id below an evicted one may be a message the app never saw. A copy is shown twice
 * only if more than {@code capacity} other new ids arrived between its two copies. A reconnect
 * redelivers at most the device's inbox ({@code router.inbox-max}, 100 by default) and the
 * broadcast-log entries after the device's saved log position (which follows its ACKs), so the
 * default {@value #DEFAULT_CAPACITY} ids (about 200 KB) leave a wide margin.
 *
 * <p>Ids live in a ring (arrival order) plus an open-addressing hash table of primitive longs, so a
 * check costs no allocation. Not thread-safe (the client's I/O thread owns it), except {@link #highest()}.
 */
public final class MessageDeduplicator {
    /** Ring of 64 KB plus a table of 128 KB. */
    public static final int DEFAULT_CAPACITY = 8192;

    private final long[] ring;
    private final long[] table;
    private final int mask;
    private int next;
    private int size;
    private volatile long highest;

    /** @param highestSeen the last message id the app saw before (persisted), or 0 */
    public MessageDeduplicator(int capacity, long highestSeen) {
        if (capacity < 1 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected 1..16777216)");
        }
        this.ring = new long[capacity];
        int tableSize = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.table = new long[Math.max(tableSize, 4)];
        this.mask = table.length - 1;
        this.highest = highestSeen;
    }

    /**
     * Records {@code id} and says whether it is new. Id 0 is not a message id.
     */
    public boolean firstSeen(long id) {
        if (id == 0) {
            throw new IllegalArgumentException("message id 0 is not a valid id");
        }
        if (contains(id)) {
            return false;
        }
        if (size == ring.length) {
            remove(ring[next]);
        } else {
            size++;
        }
        ring[next] = id;
        insert(id);
        next = next + 1 == ring.length ? 0 : next + 1;
        if (Long.compareUnsigned(id, highest) > 0) {
            highest = id;
        }
        return true;
    }

    /**
     * The highest id seen, unsigned (sent as CONNECT.last_message_id, a hint for the server); 0 when
     * none. Any thread may read it.
     */
    public long highest() {
        return highest;
    }

    public int size() {
        return size;
    }

    private int slot(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private boolean contains(long id) {
        for (int i = slot(id); table[i] != 0; i = (i + 1) & mask) {
            if (table[i] == id) {
                return true;
            }
        }
        return false;
    }

    private void insert(long id) {
        int i = slot(id);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = id;
    }

    private void remove(long id) {
        int hole = slot(id);
        while (table[hole] != id) {
            if (table[hole] == 0) {
                return;
            }
            hole = (hole + 1) & mask;
        }
        // Backward-shift deletion: pull later entries of the probe run into the hole so lookups
        // never stop early at it (no tombstones to clean up).
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            long candidate = table[j];
            if (candidate == 0) {
                break;
            }
            int home = slot(candidate);
            boolean staysPut = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!staysPut) {
                table[hole] = candidate;
                hole = j;
            }
        }
        table[hole] = 0;
    }
}
