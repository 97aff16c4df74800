package io.longlink.api.id;

import static java.util.Objects.requireNonNull;

import io.longlink.common.grpc.Refusal;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * 64-bit, time-ordered message ids: {@code 41-bit ms since 2024-01-01T00:00Z | 10-bit worker id |
 * 12-bit sequence}, sign bit clear until 2093. Lock-free: one CAS on the packed (ms, sequence) state.
 *
 * <p>When the clock steps back, or 4096 ids were taken within one millisecond, the generator keeps
 * counting on its own last millisecond (it runs ahead of the wall clock briefly) instead of
 * waiting or repeating an id. Timestamps stay within the {@link WorkerSlot} held: from its floor
 * (past the previous holder of the worker id, even when this node's clock lags) to below its
 * reservation (where the next holder starts). Ids are only roughly time-ordered across nodes; no
 * delivery path orders by them.
 */
public final class MessageIds {
    public static final long EPOCH_MS = 1_704_067_200_000L;
    public static final int WORKER_BITS = 10;
    public static final int SEQUENCE_BITS = 12;
    public static final int MAX_WORKER = (1 << WORKER_BITS) - 1;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
    private static final long MAX_TIMESTAMP = (1L << 41) - 1;

    private final LongSupplier clock;
    private final Supplier<WorkerSlot> slots;
    /** (ms since epoch) << SEQUENCE_BITS | sequence of the last id handed out. */
    private final AtomicLong last = new AtomicLong();

    /**
     * @param slots the worker slot held now ({@link WorkerIdLease#slot}), or null while none is held
     */
    public MessageIds(LongSupplier clock, Supplier<WorkerSlot> slots) {
        this.clock = requireNonNull(clock, "clock");
        this.slots = requireNonNull(slots, "slots");
    }

    /**
     * A fixed worker id without floor or reservation, for tests and tools.
     *
     * @param workerId the worker id, or a negative value for none
     */
    public MessageIds(LongSupplier clock, IntSupplier workerId) {
        this(clock, () -> {
            int w = workerId.getAsInt();
            return w < 0 ? null : new WorkerSlot(w, 0, Long.MAX_VALUE);
        });
    }

    /**
     * The next id; UNAVAILABLE while this node holds no worker id (ZooKeeper unreachable), or when
     * its timestamp would reach the reservation (ZooKeeper did not take an extension in time).
     */
    public long next() {
        WorkerSlot slot = slots.get();
        if (slot == null || slot.id() < 0 || slot.id() > MAX_WORKER) {
            throw Refusal.unavailable("message ids: this api-node holds no worker id lease"
                    + " (ZooKeeper connection lost); retry on another api-node or later");
        }
        long now = Math.max(clock.getAsLong(), slot.floorMs()) - EPOCH_MS;
        long prev;
        long state;
        do {
            prev = last.get();
            long prevMs = prev >>> SEQUENCE_BITS;
            if (now > prevMs) {
                state = now << SEQUENCE_BITS;
            } else {
                // same or earlier millisecond: next sequence; on overflow this carries into the ms part
                state = prev + 1;
            }
        } while (!last.compareAndSet(prev, state));
        long ms = state >>> SEQUENCE_BITS;
        if (ms > MAX_TIMESTAMP) {
            throw new IllegalStateException("message id timestamp overflow");
        }
        if (ms + EPOCH_MS >= slot.untilMs()) {
            throw Refusal.unavailable("message ids: worker id " + slot.id() + " is reserved only until "
                    + slot.untilMs() + " ms (ZooKeeper has not taken an extension in time); retry later");
        }
        return ms << (WORKER_BITS + SEQUENCE_BITS) | (long) slot.id() << SEQUENCE_BITS | (state & SEQUENCE_MASK);
    }

    public static long timestampMs(long id) {
        return (id >>> (WORKER_BITS + SEQUENCE_BITS)) + EPOCH_MS;
    }

    public static int worker(long id) {
        return (int) ((id >>> SEQUENCE_BITS) & MAX_WORKER);
    }

    public static int sequence(long id) {
        return (int) (id & SEQUENCE_MASK);
    }
}
