package io.longlink.loadtest.mqtt;

/**
 * A set of non-zero longs (message ids) without boxing: open addressing with linear probing, grown
 * at half full. One per subscriber, on its event loop; a subscriber of a long run holds tens of
 * thousands of ids, and a {@code HashSet<Long>} would cost the generator an allocation per delivery.
 */
final class LongSet {
    private long[] slots;
    private int size;

    LongSet(int expected) {
        int capacity = 16;
        while (capacity < expected * 2) {
            capacity <<= 1;
        }
        slots = new long[capacity];
    }

    /** Adds {@code value} (not 0); true if it was not in the set. */
    boolean add(long value) {
        if (value == 0) {
            throw new IllegalArgumentException("0 cannot be held: it marks an empty slot");
        }
        if (insert(slots, value)) {
            if (++size * 2 > slots.length) {
                grow();
            }
            return true;
        }
        return false;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (long v : slots) {
            if (v != 0) {
                insert(bigger, v);
            }
        }
        slots = bigger;
    }

    private static boolean insert(long[] table, long value) {
        int mask = table.length - 1;
        int i = mix(value) & mask;
        while (true) {
            long at = table[i];
            if (at == 0) {
                table[i] = value;
                return true;
            }
            if (at == value) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    private static int mix(long value) {
        long h = value * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
