package io.longlink.conn.session;

/**
 * Per-connection limits on frames and ACK ids per second (conn.max-frames-per-s,
 * conn.max-ack-ids-per-s; each with a burst of twice its rate), as two leaky buckets packed into one
 * int of the {@link Session}: no timer and no object per connection. A bucket leaks its rate per
 * second, counted in whole wheel ticks since the connection's previous frame (the tick a frame
 * already stores), so a sub-second tick leaks at least one unit per tick. Event-loop only.
 */
final class FrameRates {
    /** Frame level in the low bits, ACK-id level above: bursts up to 10,000 frames and 200,000 ids fit. */
    static final int FRAME_BITS = 14;
    private static final int FRAME_MASK = (1 << FRAME_BITS) - 1;
    private static final int ID_MASK = (1 << (32 - FRAME_BITS)) - 1;
    static final int MAX_FRAMES_PER_S = FRAME_MASK / 2;
    static final int MAX_ACK_IDS_PER_S = ID_MASK / 2;

    private final int frameBurst;
    private final int frameLeak;
    private final int idBurst;
    private final int idLeak;
    private final String framesExceeded;
    private final String idsExceeded;

    /** A rate of 0 turns that limit off. */
    FrameRates(int framesPerSecond, int ackIdsPerSecond, int tickMillis) {
        if (framesPerSecond < 0 || framesPerSecond > MAX_FRAMES_PER_S) {
            throw new IllegalArgumentException("framesPerSecond: " + framesPerSecond);
        }
        if (ackIdsPerSecond < 0 || ackIdsPerSecond > MAX_ACK_IDS_PER_S) {
            throw new IllegalArgumentException("ackIdsPerSecond: " + ackIdsPerSecond);
        }
        this.frameBurst = 2 * framesPerSecond;
        this.frameLeak = perTick(framesPerSecond, tickMillis);
        this.idBurst = 2 * ackIdsPerSecond;
        this.idLeak = perTick(ackIdsPerSecond, tickMillis);
        this.framesExceeded = "more than " + framesPerSecond + " frames per second (bursts of " + frameBurst + ")";
        this.idsExceeded = "more than " + ackIdsPerSecond + " ACK ids per second (bursts of " + idBurst + ")";
    }

    private static int perTick(int perSecond, int tickMillis) {
        return (int) Math.max(1, ((long) perSecond * tickMillis + 999) / 1000);
    }

    /**
     * Counts one frame carrying {@code ackIds} ids, {@code elapsedTicks} after the connection's
     * previous frame.
     *
     * @return null, or the limit the frame takes the connection over (the ERROR's reason)
     */
    String exceeded(Session s, int elapsedTicks, int ackIds) {
        long elapsed = Math.max(0, elapsedTicks);
        int packed = s.rates;
        long frames = Math.max(0, (packed & FRAME_MASK) - elapsed * frameLeak) + 1;
        long ids = Math.max(0, (packed >>> FRAME_BITS) - elapsed * idLeak) + ackIds;
        s.rates = (int) Math.min(frames, FRAME_MASK) | (int) Math.min(ids, ID_MASK) << FRAME_BITS;
        if (frameBurst != 0 && frames > frameBurst) {
            return framesExceeded;
        }
        return idBurst != 0 && ids > idBurst ? idsExceeded : null;
    }
}
