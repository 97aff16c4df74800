package io.longlink.conn.it;

import static java.util.Objects.requireNonNull;

import io.longlink.common.config.Setting;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.conn.session.Session;
import io.longlink.conn.testing.TestNodes;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A conn-node with its Redis, an app and a test router, started before a test class's first test
 * and closed after its last. Settings beyond {@link TestNodes}' defaults go to the builder:
 *
 * <pre>
 * &#64;ExtendWith(Infra.class)
 * class FooIntegrationTest {
 *     &#64;RegisterExtension
 *     static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("foo-it")
 *             .with(ConnSettings.INBOX_PAGE, 2);
 * }
 * </pre>
 *
 * The Redis server and ZooKeeper are the ones {@link Infra} shares.
 */
final class ConnNodeExtension implements BeforeAllCallback, AfterAllCallback {
    private final String namespace;
    private final Map<Setting<?>, Object> settings = new LinkedHashMap<>();
    private boolean withPeer;
    private RedisServer redisServer;
    private TestingServer zk;
    private TestRedis redis;
    private ConnNode node;
    private ConnNode peer;
    private TestRedis.App app;
    private TestRouter router;
    private CuratorFramework zkClient;

    private ConnNodeExtension(String namespace) {
        this.namespace = requireNonNull(namespace, "namespace");
    }

    /** {@code namespace}: the ZooKeeper namespace of the node's cluster, one per test class. */
    static ConnNodeExtension inNamespace(String namespace) {
        return new ConnNodeExtension(namespace);
    }

    /** A setting of the node (not of {@link #peer()} nor of {@link #nodes()}). */
    ConnNodeExtension with(Setting<?> setting, Object value) {
        settings.put(setting, value);
        return this;
    }

    /** The heartbeat a device may ask for, and the one it gets when it asks for none. */
    ConnNodeExtension withHeartbeat(int minSeconds, int defaultSeconds, int maxSeconds) {
        return with(ConnSettings.HEARTBEAT_MIN_S, minSeconds)
                .with(ConnSettings.HEARTBEAT_DEFAULT_S, defaultSeconds)
                .with(ConnSettings.HEARTBEAT_MAX_S, maxSeconds);
    }

    /** A small kernel send buffer and write watermarks, so that a device that stops reading soon fills its socket. */
    ConnNodeExtension withSendBuffer(int soSndbuf, int writeLowWater, int writeHighWater) {
        return with(ConnSettings.SO_SNDBUF, soSndbuf)
                .with(ConnSettings.WRITE_LOW_WATER, writeLowWater)
                .with(ConnSettings.WRITE_HIGH_WATER, writeHighWater);
    }

    /** Also starts a second conn-node in the same cluster, with TestNodes' defaults. */
    ConnNodeExtension withPeer() {
        withPeer = true;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        redisServer = Infra.shared(context, RedisServer.class);
        zk = Infra.shared(context, TestingServer.class);
        redis = new TestRedis(redisServer.uri(), false);
        TestNodes configured = nodes();
        settings.forEach(configured::set);
        node = configured.start();
        if (withPeer) {
            peer = nodes().start();
        }
        app = redis.newApp();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (AutoCloseable c : new AutoCloseable[] {router, zkClient, peer, node, redis}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    ConnNode node() {
        return node;
    }

    /** The second node ({@link #withPeer()}). */
    ConnNode peer() {
        return requireNonNull(peer, "no peer: register the extension withPeer()");
    }

    TestRedis redis() {
        return redis;
    }

    /** An app registered for the class; tests that need apps of their own call {@code redis().newApp()}. */
    TestRedis.App app() {
        return app;
    }

    /** A router with one Deliver stream to {@link #node()}, opened on first use. */
    synchronized TestRouter router() {
        if (router == null) {
            router = new TestRouter(node.grpcPort());
        }
        return router;
    }

    TestingServer zk() {
        return zk;
    }

    /** A ZooKeeper client in the cluster's namespace, opened on first use, to read or write membership entries. */
    synchronized CuratorFramework zkClient() throws InterruptedException {
        if (zkClient == null) {
            zkClient = CuratorFrameworkFactory.builder().connectString(zk.getConnectString()).namespace(namespace)
                    .retryPolicy(new RetryOneTime(100)).build();
            zkClient.start();
            zkClient.blockUntilConnected(10, TimeUnit.SECONDS);
        }
        return zkClient;
    }

    /** More conn-nodes in the same cluster, with TestNodes' defaults; the caller closes them. */
    TestNodes nodes() {
        return TestNodes.on(redisServer.uri(), zk, namespace);
    }

    /** A device of the class app, connected to {@link #node()} and live there; the caller closes it. */
    TestDevice liveDevice(String deviceId) throws IOException {
        TestDevice d = TestDevice.connect(node.deviceAddress());
        try {
            d.loginLive(node, app, deviceId);
        } catch (Throwable e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** The node's session of the class app's {@code deviceId}, or null. */
    Session session(String deviceId) {
        return node.sessionIndex().find(app.key(), deviceId);
    }

    /** The route of the class app's {@code deviceId} in Redis, or null. */
    String route(String deviceId) {
        return redis.route(app.key(), deviceId);
    }

    /** A counter or gauge of {@link #node()}, 0 when it has no sample yet. */
    double metric(String name) {
        Double v = node.metrics().getSampleValue(name);
        return v == null ? 0 : v;
    }

    /** A labelled sample of {@link #node()}, 0 when it has none yet. */
    double metric(String name, String label, String value) {
        Double v = node.metrics().getSampleValue(name, new String[] {label}, new String[] {value});
        return v == null ? 0 : v;
    }
}
