package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.Route;
import io.longlink.common.token.DeviceToken;
import io.longlink.conn.auth.AppSecrets;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.route.PeerKicks;
import io.longlink.conn.route.RouteRenewal;
import io.longlink.conn.route.Routes;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECT: checked, then authenticated (app secret, device token), then routed (registered in the
 * index and the route claimed in Redis, the device's previous connection kicked here or on its
 * node), then CONNACK and the catch-up. Refused while the node drains. Also keeps the route the
 * session claimed: renewed as frames arrive (claimed again, with a re-drain, when it vanished; the
 * session closed KICKED when it names another connection), deleted when the connection closes.
 *
 * <p>Event-loop only; store replies hop back onto the session's loop and find it closed or closing
 * when the device went away meanwhile.
 */
final class ConnectFlow {
    private static final Logger log = LoggerFactory.getLogger(ConnectFlow.class);

    private final String nodeId;
    private final SessionSettings settings;
    private final ConnMetrics metrics;
    private final SessionIndex index;
    private final SessionStores stores;
    private final SessionTags tags;
    private final CatchUp catchUp;
    private final SeenPosition seen;
    private final LiveDelivery delivery;
    private final SessionTimeouts timeouts;
    private final ConnectRefusals refusals;
    private final FrameWriter writer;
    private final BooleanSupplier draining;
    private final Admission admission;
    private final ConnectionIds ids;
    private final int renewTicks;

    ConnectFlow(String nodeId, SessionSettings settings, ConnMetrics metrics, SessionIndex index, SessionStores stores,
                SessionTags tags, CatchUp catchUp, SeenPosition seen, LiveDelivery delivery, SessionTimeouts timeouts,
                ConnectRefusals refusals, FrameWriter writer, BooleanSupplier draining, Admission admission,
                ConnectionIds ids) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.index = requireNonNull(index, "index");
        this.stores = requireNonNull(stores, "stores");
        this.tags = requireNonNull(tags, "tags");
        this.catchUp = requireNonNull(catchUp, "catchUp");
        this.seen = requireNonNull(seen, "seen");
        this.delivery = requireNonNull(delivery, "delivery");
        this.timeouts = requireNonNull(timeouts, "timeouts");
        this.refusals = requireNonNull(refusals, "refusals");
        this.writer = requireNonNull(writer, "writer");
        this.draining = requireNonNull(draining, "draining");
        this.admission = requireNonNull(admission, "admission");
        this.ids = requireNonNull(ids, "ids");
        this.renewTicks = settings.renewTicks();
    }

    /** The CONNECT of a connection that awaits one. */
    void connect(Session s, Connect c) {
        if (draining.getAsBoolean()) {
            refusals.draining(s);
            return;
        }
        if (!admitted(s)) {
            return;
        }
        if (c.getProtocolVersion() != ConnectValidator.PROTOCOL_VERSION) {
            refusals.refuse(s, ErrorCode.UNSUPPORTED_VERSION, "protocol_version " + Integer.toUnsignedString(
                    c.getProtocolVersion()) + " is not served; this node speaks " + ConnectValidator.PROTOCOL_VERSION);
            return;
        }
        String invalid = ConnectValidator.invalidArgument(c);
        if (invalid != null) {
            refusals.refuse(s, ErrorCode.INVALID_ARGUMENT, invalid);
            return;
        }
        if (c.getToken().isEmpty() || c.getToken().length() > ConnectValidator.MAX_TOKEN) {
            refusals.refuse(s, ErrorCode.BAD_TOKEN, "token is missing or longer than " + ConnectValidator.MAX_TOKEN
                    + " characters");
            return;
        }
        s.state = Session.AUTHENTICATING;
        CompletionStage<AppSecrets.App> app;
        try {
            app = stores.apps().get(c.getAppKey());
        } catch (RuntimeException e) {
            refusals.storeFailed(s, "app registry", e);
            return;
        }
        app.whenComplete((a, err) -> s.onLoop(() -> authenticated(s, c, a, err)));
    }

    /** The CONNECT rates and the connection limit, checked before any store is asked. */
    private boolean admitted(Session s) {
        switch (admission.connect(Admission.source(s.channel), index.size())) {
            case ADDRESS_RATE -> refusals.rateLimited(s, "too many CONNECTs from this address; come back after"
                    + " retry_after_ms");
            case NODE_RATE -> refusals.full(s, "this node takes no more CONNECTs this second; use another server"
                    + " of your list");
            case NODE_FULL -> refusals.full(s, "this node holds its most connections; use another server of your"
                    + " list");
            case NONE -> {
                return true;
            }
        }
        return false;
    }

    private void authenticated(Session s, Connect c, AppSecrets.App app, Throwable err) {
        if (s.state != Session.AUTHENTICATING || s.isClosingOrClosed()) {
            return;
        }
        if (err != null) {
            refusals.storeFailed(s, "app registry", err);
            return;
        }
        if (!app.known()) {
            refusals.refuse(s, ErrorCode.UNKNOWN_APP, "app_key '" + c.getAppKey() + "' is not registered");
            return;
        }
        switch (DeviceToken.verify(c.getToken(), app.secret(), c.getAppKey(), c.getDeviceId(),
                System.currentTimeMillis() / 1000)) {
            case BAD -> {
                refusals.refuse(s, ErrorCode.BAD_TOKEN, "token signature or format is wrong for this app and device");
                return;
            }
            case EXPIRED -> {
                refusals.refuse(s, ErrorCode.TOKEN_EXPIRED, "token has expired; get a new one from your app server");
                return;
            }
            case VALID -> {
            }
        }
        if (draining.getAsBoolean()) {
            refusals.draining(s);
            return;
        }
        s.appKey = index.intern(c.getAppKey());
        s.deviceId = c.getDeviceId();
        s.connectionId = ids.next();
        s.heartbeatSeconds = (short) ConnectValidator.heartbeat(c.getHeartbeatSeconds(), settings.heartbeatMin(),
                settings.heartbeatMax(), settings.heartbeatDefault());
        catchUp.prepare(s, c.getLastMessageId());
        s.state = Session.ROUTING;
        admission.leftUnauthenticated();
        String value = routeValue(s);
        CompletionStage<byte[]> claim = index.register(s, (self, previous) -> {
            if (previous != null) {
                metrics.kicksLocal.inc();
                delivery.kick(previous, "a newer connection of this device logged in on this node");
            }
            // inside the device's index lock: claims of one device on this node reach Redis in index order
            return stores.routes().claim(self.routeKey(), value);
        });
        tags.load(s);
        claim.whenComplete((previous, e) -> s.onLoop(() -> routed(s, value, previous, e)));
    }

    private void routed(Session s, String value, byte[] previous, Throwable err) {
        s.flags |= Session.F_ROUTE_WRITTEN; // even a timed-out SET may have applied: deleting is safe (compare first)
        // The kick belongs to the route write, not to this session: even if this session is already
        // kicked itself, the connection its SET replaced must go, or that one would survive.
        if (err == null && previous != null) {
            String old = new String(previous, StandardCharsets.UTF_8);
            if (!old.equals(value)) {
                kickPrevious(s, old);
            }
        }
        if (s.state == Session.CLOSED) {
            stores.routes().delete(s.routeKey(), value);
            return;
        }
        if (s.isClosingOrClosed()) {
            return; // the close that is under way deletes the route
        }
        if (err != null) {
            refusals.storeFailed(s, "route store", err);
            return;
        }
        int now = timeouts.now();
        s.renewedTick = now;
        s.state = Session.DRAINING;
        ConnAck ack = ConnAck.newBuilder().setCode(ErrorCode.OK).setSessionId(s.connectionIdText())
                .setHeartbeatSeconds(s.heartbeatSeconds).setHeartbeatMinSeconds(settings.heartbeatMin())
                .setHeartbeatMaxSeconds(settings.heartbeatMax()).setServerTimeMs(System.currentTimeMillis())
                .setNodeId(nodeId).build();
        metrics.connects.inc();
        writer.write(s, FrameType.CONNACK, Frames.encode(s.channel.alloc(), FrameType.CONNACK, ack));
        s.channel.flush();
        timeouts.connected(s, now);
        log.debug("connected app={} device={} conn={} heartbeat={}", s.appKey, s.deviceId, s.connectionIdText(),
                s.heartbeatSeconds);
        catchUp.start(s);
    }

    private void kickPrevious(Session s, String old) {
        Route previous = Route.parse(old);
        if (previous == null || previous.connectionId().isEmpty()) {
            log.warn("unreadable previous route value app={} device={} value=\"{}\"", s.appKey, s.deviceId, old);
            return;
        }
        if (previous.nodeId().equals(nodeId)) {
            return; // a local previous connection was kicked when this one registered, or is already gone
        }
        stores.peers().kick(s.appKey, s.deviceId, previous.nodeId(), previous.connectionId());
    }

    /**
     * A PING or ACK arrived at tick {@code now}: once a third of the route's TTL has passed, the route
     * is renewed, a log position the device's ACKs moved is written, and a re-drain that failed on a
     * store error is tried again.
     */
    void renewRoute(Session s, int now) {
        if (now - s.renewedTick < renewTicks) {
            return;
        }
        s.renewedTick = now;
        seen.flush(s);
        stores.routes().renew(s.routeKey(), routeValue(s)).whenComplete((r, err) -> s.onLoop(() -> renewed(s, r)));
        if (s.state == Session.LIVE && (s.flags & Session.F_LOG_GAP) != 0) {
            catchUp.redrain(s);
        }
    }

    private void renewed(Session s, RouteRenewal r) {
        if (r == null || s.isClosingOrClosed() || !s.acceptsDeliveries()) {
            return; // a failed renewal is counted by the batcher; the next frame renews again
        }
        if (r == RouteRenewal.RECLAIMED) {
            // while the route was missing, routers only stored this device's copies
            catchUp.requestRedrain(s);
        } else if (r == RouteRenewal.TAKEN) {
            delivery.kick(s, "another connection of this device took over");
        }
    }

    /** The connection closed in state {@code was}: unregistered, and its route deleted if it was written. */
    void closed(Session s, byte was) {
        if (was >= Session.ROUTING && was <= Session.LIVE) {
            seen.flush(s);
            index.unregister(s);
            // while the claim is in flight, the claim's reply deletes the route (ordering: after the SET)
            if ((s.flags & Session.F_ROUTE_WRITTEN) != 0) {
                stores.routes().delete(s.routeKey(), routeValue(s));
            }
        }
    }

    private String routeValue(Session s) {
        return RedisKeys.routeValue(nodeId, s.connectionIdText());
    }
}
