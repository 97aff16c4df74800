package io.longlink.common.lifecycle;

import io.longlink.common.config.Setting;
import io.longlink.common.grpc.InternalTls;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.redis.RedisSettings;
import java.util.ArrayList;
import java.util.List;

/** Settings every node role has. Role modules add their own list. */
public final class NodeSettings {
    public static final Setting<String> NODE_ID = Setting.optionalString("node.id", "",
            "Unique id of this node in the cluster; empty = <role>-<hostname>-<pid>");
    public static final Setting<String> ADVERTISE_HOST = Setting.string("node.advertise-host", "127.0.0.1",
            "Address other nodes and clients use to reach this node's listeners");
    public static final Setting<String> ADMIN_HOST = Setting.string("admin.host", "127.0.0.1",
            "Bind address of the admin HTTP port (/metrics, /healthz, /readyz)");
    public static final Setting<String> ZK_CONNECT = Setting.string("zookeeper.connect", "127.0.0.1:2181",
            "ZooKeeper connect string (host:port[,host:port...])");
    public static final Setting<String> ZK_NAMESPACE = Setting.string("zookeeper.namespace", "longlink",
            "ZooKeeper root folder of this cluster");
    public static final Setting<Integer> ZK_SESSION_TIMEOUT_MS = Setting.intRange("zookeeper.session-timeout-ms",
            6_000, 2_000, 120_000, "ZooKeeper session timeout; a dead node leaves membership after this (ZooKeeper"
                    + " grants 2 to 20 times its tickTime)");
    public static final Setting<Integer> ZK_CONNECT_TIMEOUT_MS = Setting.intRange("zookeeper.connect-timeout-ms",
            10_000, 500, 120_000, "How long start-up waits for ZooKeeper before failing");
    public static final Setting<Integer> SHUTDOWN_TIMEOUT_MS = Setting.intRange("node.shutdown-timeout-ms",
            30_000, 0, 600_000, "Upper bound on an orderly shutdown (drain included)");

    private NodeSettings() {
    }

    /** The common settings with this role's admin port default, and those of the internal gRPC plane. */
    public static List<Setting<?>> common(Setting<Integer> adminPort) {
        List<Setting<?>> all = new ArrayList<>(List.of(NODE_ID, ADVERTISE_HOST, ADMIN_HOST, adminPort, ZK_CONNECT,
                ZK_NAMESPACE, ZK_SESSION_TIMEOUT_MS, ZK_CONNECT_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS));
        all.addAll(InternalTls.settings());
        return List.copyOf(all);
    }

    /**
     * Every setting of a role, in the order its --help and docs/operations.md list them: the common
     * ones with the role's admin port and internal TLS, Redis, Kafka, then the role's {@code own}.
     */
    public static List<Setting<?>> forRole(Setting<Integer> adminPort, List<Setting<?>> own) {
        List<Setting<?>> all = new ArrayList<>(common(adminPort));
        all.addAll(RedisSettings.all());
        all.addAll(KafkaSettings.all());
        all.addAll(own);
        return List.copyOf(all);
    }
}
