package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.Frames;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.longlink.proto.internal.Outcome;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.RejectedExecutionException;

/**
 * What routers and peers send to a connected device: live pushes (written, held behind a catch-up,
 * or refused), fan-out pushes, the re-drain of pushes refused on a full socket, and the closes a
 * peer or a drain asks for (KICK, REDIRECT). Deliveries run on the session's event loop, called by
 * the rpc layer, which flushes.
 */
public final class LiveDelivery {
    private final ConnMetrics metrics;
    private final Disconnector disconnector;
    private final FrameWriter writer;
    private final CatchUp catchUp;
    private final AckHandler acks;
    private final SessionTimeouts timeouts;

    LiveDelivery(ConnMetrics metrics, Disconnector disconnector, FrameWriter writer, CatchUp catchUp, AckHandler acks,
                 SessionTimeouts timeouts) {
        this.metrics = requireNonNull(metrics, "metrics");
        this.disconnector = requireNonNull(disconnector, "disconnector");
        this.writer = requireNonNull(writer, "writer");
        this.catchUp = requireNonNull(catchUp, "catchUp");
        this.acks = requireNonNull(acks, "acks");
        this.timeouts = requireNonNull(timeouts, "timeouts");
    }

    /** A live push for this session: written, held behind the catch-up, or refused. */
    public Outcome deliver(Session s, Push push) {
        if (s.isClosingOrClosed() || !s.acceptsDeliveries()) {
            return Outcome.NOT_HERE;
        }
        if (s.state != Session.LIVE) {
            return catchUp.hold(s, push) ? Outcome.WRITTEN : Outcome.REJECTED;
        }
        if (!s.channel.isWritable()) {
            timeouts.watchUnwritable(s);
            s.flags |= Session.F_REDRAIN; // the push is in the inbox: written again when the channel drains
            return Outcome.REJECTED;
        }
        writer.writeLive(s, push);
        return Outcome.WRITTEN;
    }

    /**
     * A live push the router has not written to the inbox: as {@link #deliver(Session, Push)}, and
     * when it was written to the socket now (not held, not refused) it waits for the device's ACK on
     * {@code waiter} (see {@link AckHandler#await}).
     */
    public Outcome deliver(Session s, Push push, AckWaiter waiter, int index) {
        boolean live = s.state == Session.LIVE;
        Outcome o = deliver(s, push);
        if (o == Outcome.WRITTEN && live && waiter != null) {
            acks.await(s, push.getMessageId(), waiter, index);
        }
        return o;
    }

    /** A fan-out push: {@code frame} is the shared encoded PUSH (this takes its own reference). */
    public boolean fanOut(Session s, ByteBuf frame, Push push) {
        if (s.isClosingOrClosed() || !s.acceptsDeliveries()) {
            return false;
        }
        if (s.state != Session.LIVE) {
            return catchUp.hold(s, push);
        }
        if (!s.channel.isWritable()) {
            timeouts.watchUnwritable(s);
            return false;
        }
        metrics.pushesFanOut.inc();
        writer.write(s, FrameType.PUSH, frame.retainedDuplicate());
        return true;
    }

    /** The socket drained: pushes refused while it was full are only in the inbox, so it is written again. */
    void writable(Session s) {
        if (s.state == Session.LIVE && (s.flags & Session.F_REDRAIN) != 0 && !s.isClosingOrClosed()) {
            s.flags &= (byte) ~Session.F_REDRAIN;
            catchUp.redrain(s);
        }
    }

    /**
     * Closes with KICK: another connection of the same device took over. Any thread; always runs
     * later on the session's loop, never inline (it may be called under the index's device lock).
     */
    public void kick(Session s, String reason) {
        try {
            s.channel.eventLoop().execute(() -> disconnector.disconnect(s.channel, ErrorCode.KICKED, reason,
                    Frames.encode(s.channel.alloc(), FrameType.KICK, Kick.newBuilder().setReason(reason).build())));
        } catch (RejectedExecutionException stopping) {
            s.channel.close(); // the node is stopping: its event loops close every connection anyway
        }
    }

    /** Closes with REDIRECT (drain). Any thread. */
    public void redirect(Session s, Redirect redirect) {
        metrics.redirects.inc();
        s.onLoop(() -> disconnector.disconnect(s.channel, ErrorCode.SERVER_DRAINING, redirect.getReason(),
                Frames.encode(s.channel.alloc(), FrameType.REDIRECT, redirect)));
    }
}
