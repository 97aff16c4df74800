package io.longlink.loadtest.client;

import io.longlink.loadtest.wire.FrameCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * The timers of every connection of one event loop, checked by a single periodic task: CONNACK
 * deadlines while connecting, then heartbeat PINGs. No connection has a scheduled task of its own.
 * Used only on its event loop's thread.
 */
final class LoopTimers {
    static final long TICK_MS = 200;

    /** Every connect has the same deadline offset, so arrival order is deadline order. */
    private final ArrayDeque<DeviceSession> connecting = new ArrayDeque<>();
    /** Ordered by next PING; a session's key changes only while it is out of the queue. */
    private final PriorityQueue<DeviceSession> heartbeats = new PriorityQueue<>(
            (a, b) -> Long.compare(a.nextPingNanos, b.nextPingNanos));
    private final LoadGenerator generator;
    private final ScheduledFuture<?> tick;

    LoopTimers(EventLoop loop, LoadGenerator generator) {
        this.generator = generator;
        this.tick = loop.scheduleAtFixedRate(this::run, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    void connecting(DeviceSession s) {
        connecting.addLast(s);
    }

    void connected(DeviceSession s) {
        heartbeats.add(s);
    }

    private void run() {
        long now = System.nanoTime();
        DeviceSession s;
        while ((s = connecting.peekFirst()) != null && (s.state != DeviceSession.State.CONNECTING
                || now - s.connectDeadlineNanos >= 0)) {
            connecting.pollFirst();
            if (s.state == DeviceSession.State.CONNECTING) {
                generator.failConnect(s, "connack_timeout");
            }
        }
        while ((s = heartbeats.peek()) != null && now - s.nextPingNanos >= 0) {
            heartbeats.poll();
            if (s.state == DeviceSession.State.CONNECTED && s.channel.isActive()) {
                s.channel.writeAndFlush(Unpooled.wrappedBuffer(FrameCodec.ping()), s.channel.voidPromise());
                generator.countPing();
                s.nextPingNanos = now + s.heartbeatNanos;
                heartbeats.add(s);
            }
        }
    }

    void cancel() {
        tick.cancel(false);
    }
}
