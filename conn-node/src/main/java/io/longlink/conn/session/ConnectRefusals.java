package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.Frames;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Redirect;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a CONNECT is refused (CONNACK with the code, then ERROR, then the close; counted by code), and
 * how a session is closed when a store fails during its CONNECT or its catch-up.
 */
final class ConnectRefusals {
    private static final Logger log = LoggerFactory.getLogger(ConnectRefusals.class);

    private final String nodeId;
    private final ConnMetrics metrics;
    private final Disconnector disconnector;
    private final Supplier<Redirect> redirects;

    ConnectRefusals(String nodeId, ConnMetrics metrics, Disconnector disconnector, Supplier<Redirect> redirects) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.metrics = requireNonNull(metrics, "metrics");
        this.disconnector = requireNonNull(disconnector, "disconnector");
        this.redirects = requireNonNull(redirects, "redirects");
    }

    void refuse(Session s, ErrorCode code, String reason) {
        metrics.connectFailure(code);
        disconnector.disconnect(s.channel, code, reason,
                Frames.connAckFailure(s.channel.alloc(), code, reason, nodeId));
    }

    /** The node is draining: CONNACK SERVER_DRAINING, then REDIRECT to other nodes, then ERROR. */
    void draining(Session s) {
        Redirect r = redirects.get();
        metrics.connectFailure(ErrorCode.SERVER_DRAINING);
        disconnector.disconnect(s.channel, ErrorCode.SERVER_DRAINING, r.getReason(),
                Frames.connAckFailure(s.channel.alloc(), ErrorCode.SERVER_DRAINING, r.getReason(), nodeId),
                Frames.encode(s.channel.alloc(), FrameType.REDIRECT, r));
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
