package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.Frames;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.netty.buffer.ByteBuf;

/**
 * How the rooms write to a device: encoded device-protocol frames (as {@link Frames} makes them)
 * onto the session's channel, counted by type. The caller flushes. A transport other than TCP
 * turns these bytes into its own messages in its pipeline, so nothing here knows the transport.
 */
final class FrameWriter {
    private final ConnMetrics metrics;

    FrameWriter(ConnMetrics metrics) {
        this.metrics = requireNonNull(metrics, "metrics");
    }

    void write(Session s, FrameType type, ByteBuf frame) {
        metrics.frameOut(type);
        if (type == FrameType.PUSH && s.ackCredit != Integer.MAX_VALUE) {
            s.ackCredit++;
        }
        s.channel.write(frame, s.channel.voidPromise());
    }

    /** A live push (not from the inbox or the log), counted as one. */
    void writeLive(Session s, Push push) {
        metrics.pushesLive.inc();
        write(s, FrameType.PUSH, Frames.encode(s.channel.alloc(), FrameType.PUSH, push));
    }
}
