package io.longlink.loadtest.it;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.conn.testing.TestNodes;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.util.UUID;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real conn-node in this JVM for the generator's tests, on the Redis and ZooKeeper {@link Infra}
 * shares, started before a test class's first test and closed after its last: ports 0, loopback,
 * no Kafka, short heartbeats allowed.
 */
final class TestConnNode implements BeforeAllCallback, AfterAllCallback {
    private final int heartbeatMaxSeconds;
    private RedisServer redis;
    private ConnNode node;

    private TestConnNode(int heartbeatMaxSeconds) {
        this.heartbeatMaxSeconds = heartbeatMaxSeconds;
    }

    /** A node that grants heartbeats up to {@code seconds} and evicts after twice that without a frame. */
    static TestConnNode withHeartbeatMax(int seconds) {
        return new TestConnNode(seconds);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        redis = Infra.shared(context, RedisServer.class);
        node = TestNodes.on(redis.uri(), Infra.shared(context, TestingServer.class),
                        "loadtest-" + UUID.randomUUID().toString().substring(0, 8))
                .set(ConnSettings.HEARTBEAT_DEFAULT_S, 1)
                .set(ConnSettings.HEARTBEAT_MAX_S, heartbeatMaxSeconds)
                .set(ConnSettings.IDLE_FACTOR, 2)
                .set(ConnSettings.MQTT_PORT, 0)
                .start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (node != null) {
            node.close();
        }
    }

    ConnNode node() {
        return node;
    }

    RedisServer redis() {
        return redis;
    }

    void createApp(String appKey, String secret) {
        redis.command("HSET " + RedisKeys.app(appKey) + " " + RedisKeys.APP_SECRET + " " + secret);
    }
}
