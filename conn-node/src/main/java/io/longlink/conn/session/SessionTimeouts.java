package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.ErrorCode;
import io.netty.channel.EventLoopGroup;

/**
 * The deadlines of a connection, kept by one {@link SessionWheel} per event loop: CONNECT within
 * conn.connect-timeout-ms of the socket opening (plus the store timeout while the CONNECT is being
 * served), then a frame within heartbeat x conn.idle-factor, and a socket that stays unwritable for
 * conn.slow-reader-ms is a slow reader. Event-loop only.
 */
final class SessionTimeouts implements SessionWheel.Policy, AutoCloseable {
    private final SessionSettings settings;
    private final ConnMetrics metrics;
    private final Disconnector disconnector;
    private final LoopWheels wheels;
    private final int connectTicks;
    private final int storeTicks;
    private final int slowReaderTicks;

    SessionTimeouts(SessionSettings settings, ConnMetrics metrics, Disconnector disconnector, EventLoopGroup loops) {
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.disconnector = requireNonNull(disconnector, "disconnector");
        this.connectTicks = settings.ticks(settings.connectTimeoutMs());
        this.storeTicks = settings.ticks(2L * settings.storeTimeoutMs());
        this.slowReaderTicks = settings.ticks(settings.slowReaderMs());
        this.wheels = new LoopWheels(loops, settings.tickMillis(), this, metrics.loopLag);
    }

    /** The tick of an event happening now on the calling loop's wheel (0 off the device loops). */
    int now() {
        SessionWheel wheel = wheels.current();
        return wheel == null ? 0 : wheel.eventTick();
    }

    /** A socket opened: the CONNECT deadline starts. */
    void opened(Session s) {
        SessionWheel wheel = wheels.current();
        if (wheel != null) {
            s.lastSeenTick = wheel.eventTick();
            wheel.schedule(s, s.lastSeenTick + connectTicks);
        }
    }

    /** A frame arrived: the idle deadline moves (lazily, see SessionWheel). Returns the current tick. */
    int frameSeen(Session s) {
        int now = now();
        if (s.state >= Session.DRAINING) {
            followHeartbeat(s, now - s.lastSeenTick);
        }
        s.lastSeenTick = now;
        return now;
    }

    /** CONNACK went out at tick {@code now}: the idle deadline replaces the CONNECT one (it may be sooner). */
    void connected(Session s, int now) {
        SessionWheel wheel = wheels.current();
        if (wheel != null) {
            wheel.schedule(s, now + settings.idleTicks(s.heartbeatSeconds));
        }
    }

    void closed(Session s) {
        SessionWheel wheel = wheels.current();
        if (wheel != null) {
            wheel.unlink(s);
        }
    }

    /** The socket turned unwritable: a slow reader unless it drains within conn.slow-reader-ms. */
    void watchUnwritable(Session s) {
        SessionWheel wheel = wheels.current();
        if (wheel != null) {
            wheel.watchUnwritable(s);
        }
    }

    /**
     * Devices may lengthen their PING interval within [min, max] (adaptive heartbeat, learned per
     * network). The idle window follows the longest gap seen on this connection, so a device that
     * lengthens its interval by less than (idle factor - 1) times per step is never evicted for it.
     */
    private void followHeartbeat(Session s, int gapTicks) {
        long gapMs = (long) gapTicks * settings.tickMillis();
        if (gapMs > s.heartbeatSeconds * 1000L) {
            s.heartbeatSeconds = (short) Math.min(settings.heartbeatMax(), (gapMs + 999) / 1000);
        }
    }

    @Override
    public int deadline(Session s, int now) {
        return switch (s.state) {
            case Session.AWAITING_CONNECT -> s.lastSeenTick + connectTicks;
            case Session.AUTHENTICATING, Session.ROUTING -> s.lastSeenTick + connectTicks + storeTicks;
            default -> s.lastSeenTick + settings.idleTicks(s.heartbeatSeconds);
        };
    }

    @Override
    public void expired(Session s) {
        if ((s.flags & Session.F_CLOSING) != 0) {
            s.channel.close(); // the ERROR write never completed
            return;
        }
        switch (s.state) {
            case Session.AWAITING_CONNECT -> {
                metrics.connectTimeouts.inc();
                disconnector.disconnect(s.channel, ErrorCode.CONNECT_TIMEOUT, "no CONNECT within "
                        + settings.connectTimeoutMs() + " ms of connecting");
            }
            case Session.AUTHENTICATING, Session.ROUTING ->
                    disconnector.disconnect(s.channel, ErrorCode.INTERNAL, "the node could not complete the CONNECT"
                            + " in time; retry with backoff");
            default -> {
                metrics.idleEvictions.inc();
                disconnector.disconnect(s.channel, ErrorCode.IDLE_TIMEOUT, "no frame within "
                        + (s.heartbeatSeconds * settings.idleFactor()) + " s (heartbeat " + s.heartbeatSeconds
                        + " s x " + settings.idleFactor() + ")");
            }
        }
    }

    @Override
    public void slowReader(Session s) {
        metrics.slowReaderCloses.inc();
        disconnector.disconnect(s.channel, ErrorCode.SLOW_READER, "the device did not read for "
                + settings.slowReaderMs() + " ms; undelivered messages stay in its inbox");
    }

    @Override
    public int slowReaderTicks() {
        return slowReaderTicks;
    }

    @Override
    public void close() {
        wheels.close();
    }
}
