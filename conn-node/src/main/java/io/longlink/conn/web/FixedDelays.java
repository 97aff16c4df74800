package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Actions run one fixed delay after they were added, on the event loop they were added on, for many
 * connections at once: every action waits the same delay, so a loop's actions come due in the order
 * they were added, and one FIFO with at most one scheduled task per loop holds them all (no timer
 * per connection or per request). {@link #add} only on one of the group's loops.
 */
final class FixedDelays {
    private static final Logger log = LoggerFactory.getLogger(FixedDelays.class);

    private final Map<EventExecutor, Queue> queues = new IdentityHashMap<>();
    private final long delayNanos;
    private final LongSupplier nanoClock;

    FixedDelays(EventExecutorGroup loops, long delayMs, LongSupplier nanoClock) {
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        for (EventExecutor loop : loops) {
            queues.put(loop, new Queue(loop));
        }
    }

    /** Runs {@code action} on {@code loop} the delay from now; called on {@code loop}. */
    void add(EventExecutor loop, Runnable action) {
        Queue q = queues.get(loop);
        if (q == null) {
            throw new IllegalArgumentException("not a loop of this group: " + loop);
        }
        q.add(action);
    }

    private record Entry(long dueNanos, Runnable action) {
    }

    /** One loop's actions, oldest first. Its loop only. */
    private final class Queue implements Runnable {
        private final EventExecutor loop;
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        private boolean armed;

        Queue(EventExecutor loop) {
            this.loop = loop;
        }

        void add(Runnable action) {
            entries.add(new Entry(nanoClock.getAsLong() + delayNanos, requireNonNull(action, "action")));
            if (!armed) {
                armed = true;
                loop.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void run() {
            long now = nanoClock.getAsLong();
            Entry e;
            while ((e = entries.peek()) != null && e.dueNanos - now <= 0) {
                entries.poll();
                try {
                    e.action.run();
                } catch (RuntimeException failed) {
                    log.warn("a delayed action failed", failed);
                }
            }
            if (e == null) {
                armed = false;
            } else {
                loop.schedule(this, e.dueNanos - now, TimeUnit.NANOSECONDS);
            }
        }
    }
}
