package io.longlink.conn.route;

/** Closing a device's previous connection on another conn-node: {@link PeerKicker} over gRPC. */
public interface PeerKicks {
    void kick(String appKey, String deviceId, String nodeId, String connectionId);
}
