package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.Ping;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session layer's entry point, shared by every connection of every listener type: it creates
 * the {@link Session} when a channel opens and routes channel events and decoded device frames to
 * the rooms ({@link ConnectFlow}, {@link AckHandler}, {@link CatchUp}, {@link LiveDelivery},
 * {@link SessionTimeouts}). It checks only that a frame is allowed in the session's state, and
 * answers PING and DISCONNECT itself.
 *
 * <p>The seam with the transports: a listener's pipeline only frames, handing this handler the
 * decoded {@link Connect}, {@link Ack}, {@link Ping} and {@link Disconnect} objects; everything the
 * session layer writes is an encoded device-protocol frame (a ByteBuf, as {@link Frames} makes it),
 * which a transport other than TCP adapts in its own handlers (a WebSocket frame, an MQTT PUBLISH).
 */
@ChannelHandler.Sharable
public final class DeviceHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(DeviceHandler.class);

    private final ConnMetrics metrics;
    private final Disconnector disconnector;
    private final SessionTimeouts timeouts;
    private final ConnectFlow connects;
    private final AckHandler acks;
    private final CatchUp catchUp;
    private final LiveDelivery delivery;
    private final FrameRates rates;
    private final Admission admission;
    private final ConnectRefusals refusals;
    private final AtomicInteger sockets = new AtomicInteger();

    DeviceHandler(ConnMetrics metrics, Disconnector disconnector, SessionTimeouts timeouts, ConnectFlow connects,
                  AckHandler acks, CatchUp catchUp, LiveDelivery delivery, FrameRates rates, Admission admission,
                  ConnectRefusals refusals) {
        this.metrics = requireNonNull(metrics, "metrics");
        this.disconnector = requireNonNull(disconnector, "disconnector");
        this.timeouts = requireNonNull(timeouts, "timeouts");
        this.connects = requireNonNull(connects, "connects");
        this.acks = requireNonNull(acks, "acks");
        this.catchUp = requireNonNull(catchUp, "catchUp");
        this.delivery = requireNonNull(delivery, "delivery");
        this.rates = requireNonNull(rates, "rates");
        this.admission = requireNonNull(admission, "admission");
        this.refusals = requireNonNull(refusals, "refusals");
    }

    /** Open device sockets, authenticated or not. */
    int sockets() {
        return sockets.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!admission.opened()) {
            // no session: nothing to time out or to count; the close follows the two frames
            refusals.fullBeforeConnect(ctx.channel(), "this node holds its most sockets awaiting CONNECT; use"
                    + " another server of your list");
            ctx.fireChannelActive();
            return;
        }
        Session s = new Session(ctx.channel());
        ctx.channel().attr(Disconnector.SESSION).set(s);
        sockets.incrementAndGet();
        timeouts.opened(s);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Session s = ctx.channel().attr(Disconnector.SESSION).getAndSet(null);
        if (s != null) {
            byte was = s.state;
            s.state = Session.CLOSED;
            sockets.decrementAndGet();
            if (was < Session.ROUTING) {
                admission.leftUnauthenticated();
            }
            timeouts.closed(s);
            catchUp.closed(s);
            connects.closed(s, was);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        Session s = ch.attr(Disconnector.SESSION).get();
        if (s != null) {
            s.updateReading();
            if (!ch.isWritable()) {
                timeouts.watchUnwritable(s);
            } else if (!catchUp.resume(s)) {
                delivery.writable(s);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // decoded frames hold no buffers: nothing to release
        Channel ch = ctx.channel();
        Session s = ch.attr(Disconnector.SESSION).get();
        if (s == null || s.isClosingOrClosed()) {
            return;
        }
        int previous = s.lastSeenTick;
        int now = timeouts.frameSeen(s);
        String exceeded = rates.exceeded(s, now - previous, msg instanceof Ack a ? a.getMessageIdsCount() : 0);
        if (exceeded != null) {
            admission.violated(ch);
            disconnector.disconnect(ch, ErrorCode.RATE_LIMITED, exceeded + "; reconnect later with backoff");
            return;
        }
        if (msg == Ping.INSTANCE) {
            metrics.frameIn(FrameType.PING_VALUE);
            if (requireConnected(s, FrameType.PING)) {
                metrics.frameOut(FrameType.PONG);
                ch.writeAndFlush(Frames.PONG.duplicate(), ch.voidPromise());
                connects.renewRoute(s, now);
            }
        } else if (msg instanceof Ack ack) {
            metrics.frameIn(FrameType.ACK_VALUE);
            if (requireConnected(s, FrameType.ACK)) {
                acks.ack(s, ack);
                connects.renewRoute(s, now);
            }
        } else if (msg instanceof Connect connect) {
            metrics.frameIn(FrameType.CONNECT_VALUE);
            if (s.state != Session.AWAITING_CONNECT) {
                disconnector.disconnect(ch, ErrorCode.ALREADY_CONNECTED, "CONNECT was already sent on this connection");
            } else {
                connects.connect(s, connect);
            }
        } else if (msg instanceof Disconnect bye) {
            metrics.frameIn(FrameType.DISCONNECT_VALUE);
            if (requireConnected(s, FrameType.DISCONNECT)) {
                log.debug("device said goodbye app={} device={} reason=\"{}\"", s.appKey, s.deviceId, bye.getReason());
                s.flags |= Session.F_CLOSING;
                ch.close();
            }
        } else {
            throw new IllegalArgumentException("unexpected inbound message " + msg.getClass().getName());
        }
    }

    private boolean requireConnected(Session s, FrameType type) {
        if (s.state >= Session.DRAINING) {
            return true;
        }
        disconnector.disconnect(s.channel, ErrorCode.NOT_CONNECTED, type + " before CONNACK: send CONNECT and wait"
                + " for CONNACK first");
        return false;
    }
}
