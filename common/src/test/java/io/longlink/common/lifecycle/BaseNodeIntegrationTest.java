package io.longlink.common.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.ZooKeeperClients;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.testing.LogCapture;
import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(Infra.class)
class BaseNodeIntegrationTest {
    static final Setting<Integer> ADMIN_PORT = Setting.port("admin.port", 0, "admin");
    static final AtomicInteger NAMESPACES = new AtomicInteger();
    static TestingServer zk;
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    @RegisterExtension
    final LogCapture logged = new LogCapture(BaseNode.class);
    String namespace = "lifecycle" + NAMESPACES.incrementAndGet();

    @BeforeAll
    static void setUp(TestingServer server) {
        zk = server;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void start_thenHealthyReadyMetricsAndRegistered_thenCloseDeregisters() throws Exception {
        TestNode node = new TestNode(config("node-a", zk.getConnectString()));
        node.start();
        CuratorFramework client = client();
        String base = "http://127.0.0.1:" + node.adminPort();

        assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(base + "/readyz").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(base + "/metrics");
        assertThat(metrics.body())
                .contains("longlink_node_info{role=\"test\",node_id=\"node-a\",} 1.0")
                .contains("jvm_memory_bytes_used{area=\"heap\",}")
                .contains("jvm_gc_collection_seconds_count")
                .contains("longlink_netty_direct_memory_bytes");
        byte[] data = client.getData().forPath(ZooKeeperPaths.node("test", "node-a"));
        NodeInfo info = NodeInfo.decode(data);
        assertThat(info.endpoints()).containsEntry("grpc", "127.0.0.1:1234")
                .containsEntry("admin", "127.0.0.1:" + node.adminPort());
        assertThat(node.events).containsExactly("startRole");

        int adminPort = node.adminPort();
        node.close();
        assertThat(client.checkExists().forPath(ZooKeeperPaths.node("test", "node-a"))).isNull();
        assertThat(node.events).containsExactly("startRole", "stopAccepting", "stopRole");
        assertThatThrownBy(() -> get("http://127.0.0.1:" + adminPort + "/healthz")).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void membership_seesJoinsAndLeaves() throws Exception {
        CuratorFramework client = client();
        Membership members = new Membership(client, "test");
        toClose.add(members);
        members.start();
        TestNode a = new TestNode(config("node-a", zk.getConnectString()));
        TestNode b = new TestNode(config("node-b", zk.getConnectString()));
        toClose.add(a);
        toClose.add(b);
        a.start();
        b.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> members.isLive("node-a") && members.isLive("node-b"));
        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !members.isLive("node-a"));
        assertThat(members.get("node-b").endpoint("grpc")).isEqualTo("127.0.0.1:1234");
    }

    @Test
    void start_whenNodeIdTaken_thenFailsNamingTheId() throws Exception {
        TestNode a = new TestNode(config("same", zk.getConnectString()));
        toClose.add(a);
        a.start();
        // b waits twice its session timeout for a crashed predecessor's entry to expire, then gives up
        TestNode b = new TestNode(config("same", zk.getConnectString(), "zookeeper.session-timeout-ms", "2000",
                "zookeeper.connect-timeout-ms", "1000"));
        toClose.add(b);
        assertThatThrownBy(b::start).hasMessageContaining("node.id 'same'")
                .hasMessageContaining("another live test node");
    }

    @Test
    void start_whenAPreviousNodeWithTheIdStillHasItsEntry_thenWaitsForItToGoAndRegisters() throws Exception {
        CuratorFramework predecessor = client();
        String path = ZooKeeperPaths.node("test", "restarted");
        predecessor.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path);
        TestNode b = new TestNode(config("restarted", zk.getConnectString()));
        toClose.add(b);
        CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
            try {
                b.start();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !started.isDone());
        predecessor.close(); // its session ends, as a crashed node's does when it expires
        started.get(10, TimeUnit.SECONDS);
        assertThat(client().checkExists().forPath(path)).isNotNull();
        assertThat(b.isReady()).isTrue();
    }

    @Test
    void start_whenZooKeeperUnreachable_thenFailsWithinTimeoutNamingTheAddress() {
        String dead = "127.0.0.1:" + FreePorts.next();
        TestNode node = new TestNode(config("lonely", dead, "zookeeper.connect-timeout-ms", "1000"));
        toClose.add(node);
        long started = System.nanoTime();
        assertThatThrownBy(node::start).hasMessageContaining("ZooKeeper at " + dead + " did not answer within 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void start_whenAdminPortTaken_thenFailsNamingThePort() throws Exception {
        TestNode a = new TestNode(config("a1", zk.getConnectString()));
        toClose.add(a);
        a.start();
        TestNode b = new TestNode(config("b1", zk.getConnectString(), "admin.port", String.valueOf(a.adminPort())));
        toClose.add(b);
        assertThatThrownBy(b::start).hasMessageContaining("admin port 127.0.0.1:" + a.adminPort() + " is already in use");
    }

    @Test
    void start_whenInternalTlsDisabled_thenOneWarningThatTheInternalPlaneIsPlaintext() throws Exception {
        TestNode node = new TestNode(config("plain", zk.getConnectString()));
        toClose.add(node);
        node.start();

        assertThat(logged.events()).filteredOn(e -> e.getLevel() == Level.WARN)
                .singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains("internal gRPC is plaintext and unauthenticated (internal.tls.enabled=false)"));
    }

    @Test
    void start_whenInternalTlsEnabledWithoutFiles_thenConfigErrorNamingTheKeys() {
        TestNode node = new TestNode(config("no-files", zk.getConnectString(), "internal.tls.enabled", "true"));
        toClose.add(node);

        assertThatThrownBy(node::start).isInstanceOf(ConfigException.class)
                .hasMessageContaining("internal.tls.cert: <missing>").hasMessageContaining("internal.tls.key: <missing>")
                .hasMessageContaining("internal.tls.ca: <missing>");
        assertThat(node.events).isEmpty();
    }

    private CuratorFramework client() throws InterruptedException {
        CuratorFramework c = ZooKeeperClients.start(zk.getConnectString(), namespace, 10_000, 5_000);
        toClose.add(c);
        return c;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Config config(String id, String zkConnect, String... extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "LONGLINK_NODE_ID", id,
                "LONGLINK_ZOOKEEPER_CONNECT", zkConnect,
                "LONGLINK_ZOOKEEPER_NAMESPACE", namespace,
                "LONGLINK_INTERNAL_TLS_ENABLED", "false"));
        for (int i = 0; i < extra.length; i += 2) {
            env.put(Setting.string(extra[i], "", "").envName(), extra[i + 1]);
        }
        try {
            return Config.load(null, env, NodeSettings.common(ADMIN_PORT));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static final class TestNode extends BaseNode {
        final List<String> events = new ArrayList<>();

        TestNode(Config config) {
            super("test", config, ADMIN_PORT);
        }

        @Override
        protected void startRole(CuratorFramework zk) {
            events.add("startRole");
        }

        @Override
        protected Map<String, String> endpoints() {
            return Map.of("grpc", "127.0.0.1:1234");
        }

        @Override
        protected void stopAccepting() {
            events.add("stopAccepting");
        }

        @Override
        protected void stopRole() {
            events.add("stopRole");
        }
    }
}
