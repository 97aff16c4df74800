package io.longlink.conn.session;

import java.util.Arrays;

/**
 * The awaited copies of one session (message id, batch, index in the batch), touched only on the
 * session's event loop. Allocated when the first awaited copy is written and dropped when the last
 * one is acknowledged, so an idle session carries none. At most {@link #MAX} entries: a device that
 * falls further behind gets its copies through the inbox like any other.
 */
final class AckWaits {
    static final int MAX = 64;

    private long[] ids = new long[2];
    private AckWaiter[] waiters = new AckWaiter[2];
    private int[] indexes = new int[2];
    private int size;

    /** False when full. */
    boolean add(long id, AckWaiter waiter, int index) {
        if (size == MAX) {
            return false;
        }
        if (size == ids.length) {
            int n = size * 2;
            ids = Arrays.copyOf(ids, n);
            waiters = Arrays.copyOf(waiters, n);
            indexes = Arrays.copyOf(indexes, n);
        }
        ids[size] = id;
        waiters[size] = waiter;
        indexes[size] = index;
        size++;
        return true;
    }

    /** {@link #acked}: not awaited here. */
    static final int NOT_AWAITED = 0;
    /** {@link #acked}: acknowledged in time; its batch answers ACKED, the router stores nothing. */
    static final int IN_TIME = 1;
    /** {@link #acked}: its batch had answered without it; the router stores the copy about now. */
    static final int LATE = 2;

    /** Removes the entry of {@code id}, if any: {@link #IN_TIME}, {@link #LATE} or {@link #NOT_AWAITED}. */
    int acked(long id) {
        for (int i = 0; i < size; i++) {
            if (ids[i] == id) {
                AckWaiter w = waiters[i];
                int index = indexes[i];
                remove(i);
                return w.acked(index) ? IN_TIME : LATE;
            }
        }
        return NOT_AWAITED;
    }

    /** Drops the entries whose batch answered without their ACK; true if there were any. */
    boolean dropAnswered() {
        boolean dropped = false;
        for (int i = size - 1; i >= 0; i--) {
            if (waiters[i].answered()) {
                remove(i);
                dropped = true;
            }
        }
        return dropped;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private void remove(int i) {
        int tail = size - i - 1;
        if (tail > 0) {
            System.arraycopy(ids, i + 1, ids, i, tail);
            System.arraycopy(waiters, i + 1, waiters, i, tail);
            System.arraycopy(indexes, i + 1, indexes, i, tail);
        }
        size--;
        waiters[size] = null;
    }
}
