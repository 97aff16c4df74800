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
 * or refused), re-drains a router asks for, fan-out pushes, the re-drain of copies refused on a full
 * socket, and the closes a peer or a drain asks for (KICK, REDIRECT). Deliveries run on the
 * session's event loop, called by the rpc layer, which flushes.
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

    /**
     * A delivery for this session: the push (may be null with {@code redrain}) written, held behind a
     * catch-up, or refused. With {@code redrain} the router could not deliver an earlier copy, now in
     * the inbox: the inbox is written again first and the push held behind it.
     */
    public Outcome deliver(Session s, Push push, boolean redrain) {
        if (s.isClosingOrClosed() || !s.acceptsDeliveries()) {
            return Outcome.NOT_HERE;
        }
        if (redrain && s.state == Session.LIVE) {
            catchUp.redrain(s, push);
            return Outcome.WRITTEN;
        }
        if (redrain) {
            catchUp.requestRedrain(s);
        }
        if (push == null) {
            return Outcome.WRITTEN;
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

    /** A live push, as a router sends a copy it stored: see {@link #deliver(Session, Push, boolean)}. */
    public Outcome deliver(Session s, Push push) {
        return deliver(s, push, false);
    }

    /**
     * A live push the router has not written to the inbox: as {@link #deliver(Session, Push, boolean)},
     * and when it was written to the socket now (not held, not refused) it waits for the device's ACK
     * on {@code waiter} (see {@link AckHandler#await}).
     */
    public Outcome deliver(Session s, Push push, boolean redrain, AckWaiter waiter, int index) {
        boolean live = s.state == Session.LIVE && !redrain;
        Outcome o = deliver(s, push, redrain);
        if (o == Outcome.WRITTEN && live && waiter != null) {
            acks.await(s, push.getMessageId(), waiter, index);
        }
        return o;
    }

    /**
     * A fan-out push: {@code frame} is the shared encoded PUSH (this takes its own reference);
     * {@code logPosition} > 0 when the push is in the broadcast log, which then stands in for a copy
     * that cannot be written or held now.
     */
    public boolean fanOut(Session s, ByteBuf frame, Push push, long logPosition) {
        if (s.isClosingOrClosed() || !s.acceptsDeliveries()) {
            return false;
        }
        if (s.state != Session.LIVE) {
            if (catchUp.hold(s, push)) {
                return true;
            }
        } else if (s.channel.isWritable()) {
            metrics.pushesFanOut.inc();
            writer.write(s, FrameType.PUSH, frame.retainedDuplicate());
            return true;
        } else {
            timeouts.watchUnwritable(s);
        }
        if (logPosition > 0) {
            catchUp.missedLogged(s); // TTL 0 copies are online-only: skipped
        }
        return false;
    }

    /** The socket drained: copies refused while it was full are only in the inbox (or the log): written again. */
    void writable(Session s) {
        if (s.state == Session.LIVE && (s.flags & Session.F_REDRAIN) != 0 && !s.isClosingOrClosed()) {
            catchUp.redrain(s);
        }
    }

    /**
     * Closes with KICK: another connection of the same device took over (here, on another node, or
     * its route names another connection now). Any thread; always runs
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

    /** Closes a session that authenticated with its app's previous secret. Any thread. */
    public void secretRotated(Session s) {
        s.onLoop(() -> disconnector.disconnect(s.channel, ErrorCode.BAD_TOKEN, "app secret rotated; get a new token"));
    }

    /** Closes with REDIRECT (drain). Any thread. */
    public void redirect(Session s, Redirect redirect) {
        metrics.redirects.inc();
        s.onLoop(() -> disconnector.disconnect(s.channel, ErrorCode.SERVER_DRAINING, redirect.getReason(),
                Frames.encode(s.channel.alloc(), FrameType.REDIRECT, redirect)));
    }
}
