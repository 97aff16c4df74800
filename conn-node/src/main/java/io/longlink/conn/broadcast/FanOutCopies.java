package io.longlink.conn.broadcast;

import static java.util.Objects.requireNonNull;

import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The tag and broadcast copies this node wrote lately, for the ACKs that come back: which ids are
 * fan-out copies, at which broadcast-log position ({@link #position}), and per app how far every
 * fan-out has been written here ({@link #through}), the furthest a device's ACK may move its log
 * position.
 *
 * <p>{@code through} exists because a device's ACK of the copy at position q only proves it holds
 * the copies written to it before that one: a FanOut the router retries, or a spread one, can write
 * an earlier position after q. Positions are dense per app (the router's INCR), so this node knows
 * which it has not finished yet; a position that never comes here (a message revoked before it was
 * routed) stops being waited for after {@link #GAP_MS}.
 *
 * <p>Recent ids live in a direct-mapped table of {@link #RECENT} slots (a newer id takes the slot of
 * an older one): an ACK's lookup is one array read, no allocation. Any thread.
 */
public final class FanOutCopies {
    static final int RECENT = 4096;
    /** How long a missing position is waited for once a later one was written. */
    static final long GAP_MS = 120_000;
    /** Finished positions kept past a gap; beyond, the gap is given up at once. */
    static final int MAX_AHEAD = 4096;

    private final AtomicReferenceArray<Copy> recent = new AtomicReferenceArray<>(RECENT);
    private final ConcurrentHashMap<String, AppLog> apps = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    private record Copy(long id, long position) {
    }

    public FanOutCopies() {
        this(System::nanoTime);
    }

    FanOutCopies(LongSupplier nanoClock) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    }

    /** {@link #position} of a recent copy that is not in the broadcast log (TTL 0: online devices only). */
    public static final long NOT_LOGGED = -1;

    /** A FanOut of message {@code id} at log {@code position} (0: not logged, TTL 0) starts writing. */
    public void started(String appKey, long id, long position) {
        if (position <= 0) {
            // remembered all the same, so that its ACKs are counted and cost no inbox removal
            recent.set(slot(id), new Copy(id, NOT_LOGGED));
            return;
        }
        recent.set(slot(id), new Copy(id, position));
        apps.computeIfAbsent(appKey, k -> new AppLog()).started(position);
    }

    /** Every copy of the FanOut at {@code position} was written, held, or skipped with a log gap marked. */
    public void finished(String appKey, long position) {
        if (position <= 0) {
            return;
        }
        AppLog log = apps.get(appKey);
        if (log != null) {
            log.finished(position, nanoClock.getAsLong());
        }
    }

    /** The log position of message {@code id} if it is a recent fan-out copy, else 0. */
    /**
     * The log position of a recent fan-out copy {@code id}, {@link #NOT_LOGGED} for one with TTL 0,
     * 0 for any other id.
     */
    public long position(long id) {
        Copy c = recent.get(slot(id));
        return c != null && c.id == id ? c.position : 0;
    }

    /** Every fan-out of the app up to this position has been written here (0: none seen yet). */
    public long through(String appKey) {
        AppLog log = apps.get(appKey);
        return log == null ? 0 : log.through(nanoClock.getAsLong());
    }

    private static int slot(long id) {
        long h = id * 0x9E3779B97F4A7C15L; // ids of one millisecond differ in their low bits only
        return (int) (h >>> 52) & (RECENT - 1);
    }

    /**
     * One app's fan-out positions on this node. Guarded by its own monitor, except that an ACK reads
     * {@link #published} without it while no position waits beyond a gap (the usual case).
     */
    private static final class AppLog {
        private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(GAP_MS);

        /** Every position up to this one is finished (or given up); -1 until the first FanOut. */
        private long through = -1;
        private volatile long published;
        /** Some finished position waits beyond a gap: {@link #through} may move with time alone. */
        private volatile boolean gap;
        /** Positions being written, with how many FanOuts of each (a re-routing repeats one). */
        private final TreeMap<Long, Integer> running = new TreeMap<>();
        /** Positions finished beyond a gap, with when they finished. */
        private final TreeMap<Long, Long> ahead = new TreeMap<>();

        synchronized void started(long position) {
            if (through < 0) {
                through = position - 1;
                published = Math.max(0, through);
            }
            if (position > through) {
                running.merge(position, 1, Integer::sum);
            }
        }

        synchronized void finished(long position, long now) {
            if (position <= through) {
                return;
            }
            running.computeIfPresent(position, (p, n) -> n == 1 ? null : n - 1);
            ahead.putIfAbsent(position, now);
            advance(now);
        }

        long through(long now) {
            if (!gap) {
                return published;
            }
            synchronized (this) {
                advance(now);
                return published;
            }
        }

        private void advance(long now) {
            try {
                advanceThrough(now);
            } finally {
                published = Math.max(0, through);
                gap = !ahead.isEmpty();
            }
        }

        private void advanceThrough(long now) {
            while (!ahead.isEmpty()) {
                long first = ahead.firstKey();
                if (first != through + 1) {
                    Long lowestRunning = running.isEmpty() ? null : running.firstKey();
                    boolean waited = now - ahead.get(first) >= GAP_NANOS || ahead.size() > MAX_AHEAD;
                    if ((lowestRunning != null && lowestRunning < first) || !waited) {
                        return;
                    }
                }
                if (running.containsKey(first)) {
                    return; // finished once, and written again by a re-routing still running
                }
                ahead.pollFirstEntry();
                through = first;
            }
        }
    }
}
