package io.longlink.loadtest.unicast.tally;

import java.util.Arrays;

/**
 * A growable list of longs with a hard capacity: a run that would hold more ids than planned is
 * refused ({@link #add} answers false and counts it) instead of growing without bound.
 */
public final class LongList {
    private final int capacity;
    private long[] values;
    private int size;
    private long refused;

    public LongList(int initial, int capacity) {
        if (initial < 1 || capacity < initial) {
            throw new IllegalArgumentException("initial: " + initial + ", capacity: " + capacity
                    + " (expected: 1 <= initial <= capacity)");
        }
        this.capacity = capacity;
        this.values = new long[initial];
    }

    public boolean add(long v) {
        if (size == values.length) {
            if (size == capacity) {
                refused++;
                return false;
            }
            values = Arrays.copyOf(values, (int) Math.min(capacity, 2L * values.length));
        }
        values[size++] = v;
        return true;
    }

    public int size() {
        return size;
    }

    public long refused() {
        return refused;
    }

    public long get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " (size " + size + ")");
        }
        return values[i];
    }

    /** A copy of the values, in insertion order. */
    public long[] toArray() {
        return Arrays.copyOf(values, size);
    }

    /** Appends every value of this list to {@code out} starting at {@code from}; returns the next free index. */
    public int copyInto(long[] out, int from) {
        System.arraycopy(values, 0, out, from, size);
        return from + size;
    }
}
