package io.longlink.conn.session;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.prometheus.client.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@link SessionWheel} per event loop of the device group, found through a FastThreadLocal so
 * that sessions need no pointer to it. Each wheel's tick is the only periodic task on its loop.
 */
final class LoopWheels implements AutoCloseable {
    private static final int SLOTS = 1024;
    /** Expiries per run, and the pause before the rest: a mass expiry closes ~3,200 a second per loop. */
    private static final int EXPIRIES_PER_RUN = 16;
    private static final long CONTINUE_AFTER_MS = 5;

    private final FastThreadLocal<SessionWheel> current = new FastThreadLocal<>();
    private final List<ScheduledFuture<?>> ticks = new ArrayList<>();

    LoopWheels(EventLoopGroup group, long tickMillis, SessionWheel.Policy policy, Histogram lag) {
        for (EventExecutor loop : group) {
            SessionWheel wheel = new SessionWheel(SLOTS, tickMillis, System::nanoTime, policy, lag, EXPIRIES_PER_RUN,
                    r -> loop.schedule(r, CONTINUE_AFTER_MS, TimeUnit.MILLISECONDS));
            loop.execute(() -> current.set(wheel));
            ticks.add(loop.scheduleAtFixedRate(wheel, tickMillis, tickMillis, TimeUnit.MILLISECONDS));
        }
    }

    /** The wheel of the calling event loop, or null off the device loops (e.g. an embedded test channel). */
    SessionWheel current() {
        return current.getIfExists();
    }

    @Override
    public void close() {
        ticks.forEach(t -> t.cancel(false));
    }
}
