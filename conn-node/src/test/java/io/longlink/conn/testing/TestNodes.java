package io.longlink.conn.testing;

import io.longlink.common.config.Setting;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.testing.NodeEnv;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import java.util.UUID;
import org.apache.curator.test.TestingServer;

/**
 * Builds conn-nodes for integration tests, in this module and in those that run a real conn-node
 * (from the test-jar): every port 0, loopback, fast timers, no Kafka unless asked.
 */
public final class TestNodes {
    private final NodeEnv env = new NodeEnv();
    private Runnable exitHook = () -> {
    };

    private TestNodes(String redisUris, boolean cluster, TestingServer zk, String namespace) {
        set(NodeSettings.NODE_ID, "conn-" + UUID.randomUUID().toString().substring(0, 8));
        set(ConnSettings.ADMIN_PORT, 0);
        set(ConnSettings.DEVICE_PORT, 0);
        set(ConnSettings.GRPC_PORT, 0);
        set(ConnSettings.IO_THREADS, 2);
        set(ConnSettings.TIMER_TICK_MS, 50);
        set(ConnSettings.HEARTBEAT_MIN_S, 1);
        set(ConnSettings.RECEIPTS_ENABLED, false);
        set(ConnSettings.LOAD_PUBLISH_MS, 200);
        // every test device connects from 127.0.0.1: one test's protocol violations must not refuse the
        // next test's CONNECTs (ConnectLimitsIntegrationTest sets the penalty it checks)
        set(ConnSettings.ABUSE_PENALTY_MS, 0);
        set(NodeSettings.SHUTDOWN_TIMEOUT_MS, 10_000);
        env.zooKeeper(zk, namespace).redis(redisUris, cluster);
    }

    public static TestNodes on(String redisUris, TestingServer zk, String namespace) {
        return new TestNodes(redisUris, false, zk, namespace);
    }

    public static TestNodes onCluster(String redisUris, TestingServer zk, String namespace) {
        return new TestNodes(redisUris, true, zk, namespace);
    }

    public TestNodes set(Setting<?> setting, Object value) {
        env.set(setting, value);
        return this;
    }

    public TestNodes onAdminDrainExit(Runnable hook) {
        this.exitHook = hook;
        return this;
    }

    public ConnNode start() throws Exception {
        return NodeEnv.started(new ConnNode(env.load(ConnSettings.all()), exitHook));
    }
}
