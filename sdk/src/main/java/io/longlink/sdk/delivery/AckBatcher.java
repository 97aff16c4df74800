package io.longlink.sdk.delivery;

import io.longlink.proto.device.Ack;

/**
 * Collects received message ids into one ACK frame per small window or per full batch, so a burst of
 * pushes costs a few ACK frames instead of one each. Ids wait here while the device is disconnected
 * and go out after the next CONNACK. Thread-safe (the I/O thread adds, the scheduler flushes).
 */
public final class AckBatcher {
    /** What the caller must do after {@link #add}. */
    public enum Next {
        /** Nothing: a flush is already scheduled. */
        NOTHING,
        /** First id of a batch: schedule one flush after the window. */
        SCHEDULE_FLUSH,
        /** The batch is full: drain and send now. */
        FLUSH_NOW
    }

    // guarded by this
    private final long[] ids;
    private int count;
    private boolean flushScheduled;

    public AckBatcher(int maxIds) {
        if (maxIds < 1 || maxIds > 4096) {
            throw new IllegalArgumentException("maxIds: " + maxIds + " (expected 1..4096)");
        }
        this.ids = new long[maxIds];
    }

    public synchronized Next add(long id) {
        if (count == ids.length) {
            throw new IllegalStateException("ACK batch full: drain() after FLUSH_NOW");
        }
        ids[count++] = id;
        if (count == ids.length) {
            return Next.FLUSH_NOW;
        }
        if (flushScheduled) {
            return Next.NOTHING;
        }
        flushScheduled = true;
        return Next.SCHEDULE_FLUSH;
    }

    /** Takes every pending id as one ACK body, or null when none is pending. */
    public synchronized Ack drain() {
        if (count == 0) {
            return null;
        }
        Ack.Builder ack = Ack.newBuilder();
        for (int i = 0; i < count; i++) {
            ack.addMessageIds(ids[i]);
        }
        count = 0;
        return ack.build();
    }

    /** The scheduled flush ran: the next added id schedules a new one. */
    public synchronized void flushRan() {
        flushScheduled = false;
    }

    public synchronized int pending() {
        return count;
    }
}
