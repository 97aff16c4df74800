package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

/**
 * A session the server accepted.
 *
 * @param server           the host:port this connection reached
 * @param sessionId        the server's id for this connection (quote it in support requests)
 * @param nodeId           the conn-node serving the device
 * @param heartbeatSeconds the PING interval this connection starts with
 * @param heartbeatMinSeconds the shortest interval the server accepts
 * @param heartbeatMaxSeconds the longest interval the server accepts
 * @param serverTimeMs     the server's clock at CONNACK (epoch millis), 0 when not sent
 */
public record SessionInfo(String server, String sessionId, String nodeId, int heartbeatSeconds,
                          int heartbeatMinSeconds, int heartbeatMaxSeconds, long serverTimeMs) {
    public SessionInfo {
        requireNonNull(server, "server");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(nodeId, "nodeId");
    }
}
