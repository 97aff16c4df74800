package io.longlink.common.discovery;

/**
 * ZooKeeper layout, relative to the cluster's Curator namespace ({@code zookeeper.namespace}).
 * <pre>
 * /nodes/{role}/{nodeId}   ephemeral, NodeInfo of each live node (role = conn, router, api)
 * /workers/{workerId}      ephemeral, message-id worker id leases held by api-nodes
 * /workers-clock/{workerId} persistent, ms until which the holder of the worker id may stamp ids
 * /apps/{appKey}           persistent, the app's secret version and last rotation time ({@code SecretRotation})
 * </pre>
 */
public final class ZooKeeperPaths {
    public static final String NODES = "/nodes";
    public static final String WORKERS = "/workers";
    public static final String WORKERS_CLOCK = "/workers-clock";
    public static final String APPS = "/apps";

    private ZooKeeperPaths() {
    }

    public static String role(String role) {
        return NODES + "/" + role;
    }

    public static String node(String role, String nodeId) {
        return role(role) + "/" + nodeId;
    }

    /** Written by RotateSecret; conn-nodes watch it to end the sessions of the old secret. */
    public static String app(String appKey) {
        return APPS + "/" + appKey;
    }
}
