package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.Frames;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Redirect;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a CONNECT is refused (CONNACK with the code, then ERROR, then the close; counted by code), how
 * a full or rate-limited node turns a device away (a REDIRECT without addresses saying when to come
 * back, see docs/protocol.md), and how a session is closed when a store fails during its CONNECT or
 * its catch-up.
 */
final class ConnectRefusals {
    private static final Logger log = LoggerFactory.getLogger(ConnectRefusals.class);

    private final String nodeId;
    private final ConnMetrics metrics;
    private final Disconnector disconnector;
    private final Function<Channel, Redirect> redirects;
    private final int retryAfterMs;

    /** @param retryAfterMs base of the retry_after_ms sent with NODE_FULL and RATE_LIMITED (jittered per device) */
    ConnectRefusals(String nodeId, ConnMetrics metrics, Disconnector disconnector,
                    Function<Channel, Redirect> redirects, int retryAfterMs) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.metrics = requireNonNull(metrics, "metrics");
        this.disconnector = requireNonNull(disconnector, "disconnector");
        this.redirects = requireNonNull(redirects, "redirects");
        this.retryAfterMs = retryAfterMs;
    }

    void refuse(Session s, ErrorCode code, String reason) {
        metrics.connectFailure(code);
        disconnector.disconnect(s.channel, code, reason,
                Frames.connAckFailure(s.channel.alloc(), code, reason, nodeId));
    }

    /** The node is draining: CONNACK SERVER_DRAINING, then REDIRECT to other nodes, then ERROR. */
    void draining(Session s) {
        Redirect r = redirects.apply(s.channel);
        metrics.connectFailure(ErrorCode.SERVER_DRAINING);
        disconnector.disconnect(s.channel, ErrorCode.SERVER_DRAINING, r.getReason(),
                Frames.connAckFailure(s.channel.alloc(), ErrorCode.SERVER_DRAINING, r.getReason(), nodeId),
                Frames.encode(s.channel.alloc(), FrameType.REDIRECT, r));
    }

    /** The node takes no more devices now: CONNACK NODE_FULL, REDIRECT to the device's server list, ERROR. */
    void full(Session s, String reason) {
        metrics.connectFailure(ErrorCode.NODE_FULL);
        disconnector.disconnect(s.channel, ErrorCode.NODE_FULL, reason,
                Frames.connAckFailure(s.channel.alloc(), ErrorCode.NODE_FULL, reason, nodeId),
                comeBackLater(s.channel, reason));
    }

    /** A socket beyond conn.max-unauthenticated, before any CONNECT: REDIRECT, ERROR NODE_FULL. */
    void fullBeforeConnect(Channel ch, String reason) {
        metrics.connectFailure(ErrorCode.NODE_FULL);
        disconnector.disconnect(ch, ErrorCode.NODE_FULL, reason, comeBackLater(ch, reason));
    }

    /** Too many CONNECTs from the device's address: REDIRECT saying when to come back, ERROR RATE_LIMITED. */
    void rateLimited(Session s, String reason) {
        metrics.connectFailure(ErrorCode.RATE_LIMITED);
        disconnector.disconnect(s.channel, ErrorCode.RATE_LIMITED, reason, comeBackLater(s.channel, reason));
    }

    /** A REDIRECT without addresses (use the server list) and a jittered retry_after_ms. */
    private ByteBuf comeBackLater(Channel ch, String reason) {
        int retry = retryAfterMs + (retryAfterMs == 0 ? 0 : ThreadLocalRandom.current().nextInt(retryAfterMs));
        return Frames.encode(ch.alloc(), FrameType.REDIRECT,
                Redirect.newBuilder().setRetryAfterMs(retry).setReason(reason).build());
    }

    /** A store did not answer: the device retries with backoff (after CONNACK there is no CONNACK to refuse with). */
    void storeFailed(Session s, String what, Throwable err) {
        metrics.redisError(what.replace(' ', '_'));
        log.warn("store error during CONNECT what=\"{}\" app={} device={} error=\"{}\"", what, s.appKey, s.deviceId,
                err.toString());
        if (s.state >= Session.DRAINING) {
            disconnector.disconnect(s.channel, ErrorCode.INTERNAL, what + " unavailable; reconnect with backoff");
        } else {
            refuse(s, ErrorCode.INTERNAL, what + " unavailable; retry with backoff");
        }
    }
}
