package io.longlink.loadtest.it;

import io.longlink.common.config.Config;
import io.longlink.common.config.Setting;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisSettings;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.testsupport.RedisServer;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.test.TestingServer;

/** A real conn-node in this JVM for the generator's tests: ports 0, loopback, no Kafka, short heartbeats allowed. */
final class TestConnNode {
    private TestConnNode() {
    }

    static ConnNode start(RedisServer redis, TestingServer zk, int heartbeatMaxSeconds) throws Exception {
        Map<String, String> env = new HashMap<>();
        put(env, NodeSettings.NODE_ID, "conn-" + UUID.randomUUID().toString().substring(0, 8));
        put(env, NodeSettings.ZK_CONNECT, zk.getConnectString());
        put(env, NodeSettings.ZK_NAMESPACE, "loadtest-" + UUID.randomUUID().toString().substring(0, 8));
        put(env, RedisSettings.URIS, redis.uri());
        put(env, ConnSettings.ADMIN_PORT, 0);
        put(env, ConnSettings.DEVICE_PORT, 0);
        put(env, ConnSettings.GRPC_PORT, 0);
        put(env, ConnSettings.IO_THREADS, 2);
        put(env, ConnSettings.TIMER_TICK_MS, 50);
        put(env, ConnSettings.HEARTBEAT_MIN_S, 1);
        put(env, ConnSettings.HEARTBEAT_DEFAULT_S, 1);
        put(env, ConnSettings.HEARTBEAT_MAX_S, heartbeatMaxSeconds);
        put(env, ConnSettings.IDLE_FACTOR, 2);
        put(env, ConnSettings.RECEIPTS_ENABLED, false);
        ConnNode node = new ConnNode(Config.load(null, env, ConnSettings.all()));
        try {
            node.start();
        } catch (Exception e) {
            node.close();
            throw e;
        }
        return node;
    }

    static void createApp(RedisServer redis, String appKey, String secret) {
        redis.command("HSET " + RedisKeys.app(appKey) + " " + RedisKeys.APP_SECRET + " " + secret);
    }

    private static void put(Map<String, String> env, Setting<?> s, Object value) {
        env.put(s.envName(), String.valueOf(value));
    }
}
