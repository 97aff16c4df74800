package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.prometheus.client.Histogram;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The timing wheel of one event loop: CONNECT deadlines, idle eviction and slow readers for every
 * connection on that loop, with one periodic task per loop instead of a task per connection.
 *
 * <p>Deadlines are lazy. A frame only stores its {@link #eventTick} in the session; the wheel finds the
 * session in the slot of its old deadline, recomputes the deadline from the session and either
 * expires it or moves it to the new slot. So a heartbeat costs a field write, and a session moves
 * at most once per idle period. Sessions are linked into slots intrusively so that a close unlinks
 * in O(1) and a closed connection is never kept alive by the wheel.
 *
 * <p>A run expires at most {@code expiriesPerRun} sessions; the rest of a mass expiry (thousands of
 * sockets that never sent CONNECT, closed in one tick) wait in a backlog for a continuation run a
 * moment later on the same loop, so the closes do not hold the loop's other connections back for
 * the whole wave.
 *
 * <p>Event-loop only; ticks are compared by subtraction so that wrap-around is harmless.
 */
final class SessionWheel implements Runnable {
    /** Decides deadlines and what expiry means; implemented by {@link SessionTimeouts}. */
    interface Policy {
        /** The tick at which the session expires if nothing happens before. */
        int deadline(Session session, int now);

        void expired(Session session);

        void slowReader(Session session);

        int slowReaderTicks();
    }

    private static final int BACKLOG = -2;

    private final Session[] slots;
    private final int mask;
    private final long startNanos;
    private final long tickNanos;
    private final Policy policy;
    private final Histogram lag;
    private final LongSupplier nanoClock;
    private final ArrayList<Session> unwritable = new ArrayList<>();
    private final int expiriesPerRun;
    private final Executor soon;
    private final Runnable continuation = this::resume;
    /** Sessions taken from their slot and not yet looked at (a run's budget ran out); linked like a slot. */
    private Session backlog;
    private boolean continuing;
    private int now;
    private int processed;
    private long expectedNanos;

    /**
     * @param expiriesPerRun sessions one run may expire; more wait for a continuation
     * @param soon           runs a continuation a moment later on the same loop
     */
    SessionWheel(int slotCount, long tickMillis, LongSupplier nanoClock, Policy policy, Histogram lag,
                 int expiriesPerRun, Executor soon) {
        if (Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("slotCount must be a power of two: " + slotCount);
        }
        this.slots = new Session[slotCount];
        this.mask = slotCount - 1;
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.startNanos = nanoClock.getAsLong();
        this.policy = requireNonNull(policy, "policy");
        this.lag = lag;
        this.expectedNanos = startNanos + tickNanos;
        if (expiriesPerRun < 1) {
            throw new IllegalArgumentException("expiriesPerRun must be at least 1: " + expiriesPerRun);
        }
        this.expiriesPerRun = expiriesPerRun;
        this.soon = requireNonNull(soon, "soon");
    }

    /** The current tick: what sessions store as "last seen". */
    int now() {
        return now;
    }

    /**
     * The tick an event happening now is stamped with: the first tick boundary at or after it, read
     * from the clock. A deadline counted from it fires no earlier than the full delay after the event
     * (the wheel's {@link #now} may lag the clock, and counting from the tick's start fired a tick early).
     */
    int eventTick() {
        long sinceStart = nanoClock.getAsLong() - startNanos;
        return (int) ((sinceStart + tickNanos - 1) / tickNanos);
    }

    void schedule(Session s, int deadline) {
        unlink(s);
        if (deadline - processed <= 0) {
            deadline = processed + 1;
        }
        int slot = deadline & mask;
        Session head = slots[slot];
        s.wheelSlot = slot;
        s.wheelPrev = null;
        s.wheelNext = head;
        if (head != null) {
            head.wheelPrev = s;
        }
        slots[slot] = s;
    }

    void unlink(Session s) {
        int slot = s.wheelSlot;
        if (slot < 0) {
            return;
        }
        if (s.wheelPrev != null) {
            s.wheelPrev.wheelNext = s.wheelNext;
        } else if (slot == BACKLOG) {
            backlog = s.wheelNext;
        } else {
            slots[slot] = s.wheelNext;
        }
        if (s.wheelNext != null) {
            s.wheelNext.wheelPrev = s.wheelPrev;
        }
        s.wheelPrev = null;
        s.wheelNext = null;
        s.wheelSlot = -1;
    }

    /** Starts watching a session whose socket turned unwritable (once; the flag avoids duplicates). */
    void watchUnwritable(Session s) {
        if ((s.flags & Session.F_WATCHED_UNWRITABLE) == 0) {
            s.flags |= Session.F_WATCHED_UNWRITABLE;
            s.unwritableSinceTick = now;
            unwritable.add(s);
        }
    }

    @Override
    public void run() {
        long t = nanoClock.getAsLong();
        if (lag != null) {
            lag.observe(Math.max(0, t - expectedNanos) / 1e9);
        }
        expectedNanos += tickNanos;
        now = (int) ((t - startNanos) / tickNanos);
        advance();
        checkUnwritable();
    }

    private void resume() {
        continuing = false;
        advance();
    }

    /** Looks at the backlog, then at every slot up to {@link #now}, until the run's expiries are spent. */
    private void advance() {
        int budget = expiriesPerRun;
        Session s = backlog;
        backlog = null;
        while (true) {
            while (s != null) {
                Session next = s.wheelNext;
                if (s.state != Session.CLOSED) {
                    int deadline = policy.deadline(s, now);
                    if (deadline - now <= 0 && budget == 0) {
                        toBacklog(s);
                        if (!continuing) {
                            continuing = true;
                            soon.execute(continuation);
                        }
                        return;
                    }
                    detach(s);
                    if (deadline - now <= 0) {
                        budget--;
                        policy.expired(s);
                    } else {
                        schedule(s, deadline);
                    }
                } else {
                    detach(s);
                }
                s = next;
            }
            if (now - processed <= 0) {
                return;
            }
            processed++;
            int slot = processed & mask;
            s = slots[slot];
            slots[slot] = null; // detach first: sessions moved back into this slot join a fresh list
        }
    }

    private static void detach(Session s) {
        s.wheelPrev = null;
        s.wheelNext = null;
        s.wheelSlot = -1;
    }

    /** {@code first} and the sessions linked after it wait for the next run. */
    private void toBacklog(Session first) {
        first.wheelPrev = null;
        backlog = first;
        for (Session s = first; s != null; s = s.wheelNext) {
            s.wheelSlot = BACKLOG;
        }
    }

    private void checkUnwritable() {
        if (unwritable.isEmpty()) {
            return;
        }
        int limit = policy.slowReaderTicks();
        int kept = 0;
        for (int i = 0; i < unwritable.size(); i++) {
            Session s = unwritable.get(i);
            if (s.state == Session.CLOSED || s.channel.isWritable()) {
                s.flags &= (byte) ~Session.F_WATCHED_UNWRITABLE;
                continue;
            }
            if (now - s.unwritableSinceTick >= limit) {
                s.flags &= (byte) ~Session.F_WATCHED_UNWRITABLE;
                policy.slowReader(s);
                continue;
            }
            unwritable.set(kept++, s);
        }
        for (int i = unwritable.size() - 1; i >= kept; i--) {
            unwritable.remove(i);
        }
    }

    /** For tests and metrics: sessions linked in the wheel. */
    int linkedCount() {
        int n = 0;
        for (Session head : slots) {
            for (Session s = head; s != null; s = s.wheelNext) {
                n++;
            }
        }
        for (Session s = backlog; s != null; s = s.wheelNext) {
            n++;
        }
        return n;
    }
}
