package io.longlink.common.discovery;

/**
 * ZooKeeper layout, relative to the cluster's Curator namespace ({@code zookeeper.namespace}).
 * <pre>
 * /nodes/{role}/{nodeId}   ephemeral, NodeInfo of each live node (role = conn, router, api)
 * /workers/{workerId}      ephemeral, message-id worker id leases held by api-nodes
 * /workers-clock/{workerId} persistent, ms until which the holder of the worker id may stamp ids
 * </pre>
 */
public final class ZooKeeperPaths {
    public static final String NODES = "/nodes";
    public static final String WORKERS = "/workers";
    public static final String WORKERS_CLOCK = "/workers-clock";

    private ZooKeeperPaths() {
    }

    public static String role(String role) {
        return NODES + "/" + role;
    }

    public static String node(String role, String nodeId) {
        return role(role) + "/" + nodeId;
    }
}
