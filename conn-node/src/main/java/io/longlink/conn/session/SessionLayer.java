package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.broadcast.FanOutCopies;
import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.Redirect;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Builds the session layer's rooms, one of each per node, and hands out what the rest of the node
 * uses: the {@link DeviceHandler} for the listeners' pipelines, {@link LiveDelivery} and
 * {@link SessionTags} for the rpc layer, the {@link SessionIndex}. Closing it stops the timing wheels.
 */
public final class SessionLayer implements AutoCloseable {
    private final SessionIndex index;
    private final SessionTimeouts timeouts;
    private final DeviceHandler handler;
    private final LiveDelivery delivery;
    private final SessionTags tags;
    private final FrameErrorSink frameErrors;
    private final ConnectionIds ids = new ConnectionIds();

    /**
     * @param copies    the node's recent tag and broadcast copies, shared with the rpc layer's FanOut
     * @param loops     the device event loops (one timing wheel each)
     * @param draining  whether the node refuses CONNECTs
     * @param redirects where a refused CONNECT is sent while draining: other nodes' endpoints of the
     *                  transport the channel came in on
     * @param limits    the listener limits (unauthenticated sockets, connections, CONNECT rates)
     */
    public SessionLayer(String nodeId, SessionSettings settings, ConnMetrics metrics, SessionIndex index,
                        Disconnector disconnector, SessionStores stores, FanOutCopies copies, EventLoopGroup loops,
                        BooleanSupplier draining, Function<Channel, Redirect> redirects, ConnectLimits limits) {
        this.index = requireNonNull(index, "index");
        requireNonNull(stores, "stores");
        FrameWriter writer = new FrameWriter(metrics);
        ConnectRefusals refusals = new ConnectRefusals(nodeId, metrics, disconnector, redirects, limits.retryAfterMs());
        Admission admission = new Admission(limits, System::nanoTime);
        timeouts = new SessionTimeouts(settings, metrics, disconnector, loops);
        SeenPosition seen = new SeenPosition(stores.broadcasts(), copies);
        CatchUp catchUp = new CatchUp(settings, metrics, index, stores.inboxes(), stores.broadcasts(), seen, writer,
                refusals);
        AckHandler acks = new AckHandler(metrics, stores.inboxes(), stores.broadcasts(), copies, seen, catchUp);
        delivery = new LiveDelivery(metrics, disconnector, writer, catchUp, acks, timeouts);
        tags = new SessionTags(settings, metrics, index, stores.tags(), catchUp, refusals);
        ConnectFlow connects = new ConnectFlow(nodeId, settings, metrics, index, stores, tags, catchUp, seen,
                delivery, timeouts, refusals, writer, draining, admission, ids);
        frameErrors = (ch, code, reason) -> {
            if (Admission.isViolation(code)) {
                admission.violated(ch);
            }
            disconnector.reject(ch, code, reason);
        };
        handler = new DeviceHandler(metrics, disconnector, timeouts, connects, acks, catchUp, delivery,
                new FrameRates(settings.maxFramesPerS(), settings.maxAckIdsPerS(), settings.tickMillis()), admission,
                refusals);
    }

    /** Where the transports' decoders send a frame they refuse: the close, and the source address's penalty. */
    public FrameErrorSink frameErrors() {
        return frameErrors;
    }

    public DeviceHandler handler() {
        return handler;
    }

    public LiveDelivery delivery() {
        return delivery;
    }

    public SessionTags tags() {
        return tags;
    }

    public SessionIndex index() {
        return index;
    }

    /** The node's connection ids: a connection id at or below {@code connectionIds().current()} is older. */
    public ConnectionIds connectionIds() {
        return ids;
    }

    /** Open device sockets, authenticated or not. */
    public int sockets() {
        return handler.sockets();
    }

    @Override
    public void close() {
        timeouts.close();
    }
}
