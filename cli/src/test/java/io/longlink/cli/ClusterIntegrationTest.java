package io.longlink.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.api.ApiNode;
import io.longlink.api.ApiSettings;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisSettings;
import io.longlink.common.testing.NodeEnv;
import io.longlink.conn.ConnNode;
import io.longlink.conn.testing.TestNodes;
import io.longlink.router.RouterNode;
import io.longlink.router.RouterSettings;
import io.longlink.sdk.LonglinkClient;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** pushctl cluster against real nodes (a router, an api-node, two conn-nodes) on real ZooKeeper, Redis and Kafka. */
@ExtendWith(Infra.class)
class ClusterIntegrationTest {
    private static final String TOKEN = "cluster-admin-token";
    private static String namespace;
    private static TestingServer zooKeeper;
    private static RouterNode router;
    private static ApiNode api;
    private static ConnNode conn1;
    private static ConnNode conn2;
    private static String redisUri;

    @BeforeAll
    static void setUp(RedisServer redis, TestingServer zk, KafkaCluster kafka) throws Exception {
        zooKeeper = zk;
        String id = UUID.randomUUID().toString().substring(0, 8);
        namespace = "cluster-" + id;
        String commands = "commands-" + id;
        String receipts = "receipts-" + id;
        kafka.createTopics(2, commands, receipts);
        router = NodeEnv.started(new RouterNode(new NodeEnv().zooKeeper(zk, namespace).set(RedisSettings.URIS, redis.uri())
                .kafka(kafka, commands, receipts).set(NodeSettings.NODE_ID, "router-1").set(RouterSettings.ADMIN_PORT, 0)
                .set(RouterSettings.CONSUMER_GROUP, "routers-" + id).load(RouterSettings.all())));
        api = NodeEnv.started(new ApiNode(new NodeEnv().zooKeeper(zk, namespace).set(RedisSettings.URIS, redis.uri())
                .kafka(kafka, commands, receipts).set(NodeSettings.NODE_ID, "api-1").set(ApiSettings.ADMIN_PORT, 0)
                .set(ApiSettings.GRPC_PORT, 0).set(ApiSettings.ADMIN_TOKEN, TOKEN).load(ApiSettings.all())));
        conn1 = TestNodes.on(redis.uri(), zk, namespace).set(NodeSettings.NODE_ID, "conn-1").start();
        conn2 = TestNodes.on(redis.uri(), zk, namespace).set(NodeSettings.NODE_ID, "conn-2").start();
        redisUri = redis.uri();
    }

    @AfterAll
    static void tearDown() {
        for (AutoCloseable node : new AutoCloseable[] {conn1, conn2, api, router}) {
            try {
                node.close();
            } catch (Exception e) {
                // the next one still closes
            }
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result pushctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("LONGLINK_ZOOKEEPER_CONNECT", zooKeeper.getConnectString(),
                "LONGLINK_ZOOKEEPER_NAMESPACE", namespace, "LONGLINK_API", "127.0.0.1:" + api.grpcPort());
        int exit = new PushCtl(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env).run(args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8).trim());
    }

    @Test
    void status_whenEveryRoleRuns_thenOneLinePerMemberWithStateLoadLagAndEndpoints() {
        Result status = pushctl("cluster", "status");

        assertThat(status.exit()).as(status.err()).isZero();
        List<String> lines = status.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("role=conn id=conn-1 state=ready connections=0 load=0 heap_mb=")
                .contains("admin=127.0.0.1:" + conn1.adminPort(), "device=127.0.0.1:" + conn1.deviceAddress().getPort(),
                        "grpc=127.0.0.1:" + conn1.grpcPort());
        assertThat(lines.get(2)).startsWith("role=router id=router-1 state=ready consumer_lag=0 heap_mb=")
                .contains("admin=127.0.0.1:" + router.adminPort());
        assertThat(lines.get(3)).startsWith("role=api id=api-1 state=ready pushes_in_flight=0 heap_mb=")
                .contains("grpc=127.0.0.1:" + api.grpcPort());
        assertThat(lines.get(4)).isEqualTo("members=4 conn_nodes=2 routers=1 api_nodes=1 connections=0 consumer_lag=0");
        long heapMb = Long.parseLong(lines.get(0).replaceAll(".* heap_mb=(\\d+) .*", "$1"));
        assertThat(heapMb << 20).isPositive().isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
    }

    @Test
    void connections_whenADeviceOfTheAppIsConnected_thenCountedOnItsNodeOnly() throws Exception {
        Result app = pushctl("--admin-token", TOKEN, "create-app", "cluster shop");
        String appKey = field(app.out(), "app_key");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new PushCtl(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
                Map.of("LONGLINK_API", "127.0.0.1:" + api.grpcPort(), "LONGLINK_APP_KEY", appKey,
                        "LONGLINK_APP_SECRET", field(app.out(), "secret"))).run("register-device", "phone-1");
        assertThat(exit).isZero();
        try (LonglinkClient client = LonglinkClient.builder().servers("127.0.0.1:" + conn1.deviceAddress().getPort())
                .appKey(appKey).deviceId("phone-1").token(field(out.toString(StandardCharsets.UTF_8), "token")).build()) {
            client.start();
            assertThat(client.awaitConnected(Duration.ofSeconds(15))).isTrue();

            Result connections = pushctl("cluster", "connections", "--app", appKey);

            assertThat(connections.exit()).as(connections.err()).isZero();
            assertThat(connections.out().lines()).containsExactly(
                    "node=conn-1 app=" + appKey + " connections=1",
                    "node=conn-2 app=" + appKey + " connections=0",
                    "app=" + appKey + " connections=1 nodes=all");
            assertThat(pushctl("cluster", "status").out()).contains("members=4 conn_nodes=2 routers=1 api_nodes=1 connections=1");
        }
    }

    @Test
    void drain_whenNodeIsAConnNode_thenItDrainsAndLeaves() throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        try (ConnNode conn3 = TestNodes.on(redisUri, zooKeeper, namespace).set(NodeSettings.NODE_ID, "conn-3")
                .onAdminDrainExit(exited::countDown).start()) {
            Result unknown = pushctl("cluster", "drain", "conn-9");
            assertThat(unknown.exit()).isEqualTo(1);
            assertThat(unknown.err()).startsWith("error=CLIENT message=\"no conn-node 'conn-9' in ZooKeeper");

            Result drain = pushctl("cluster", "drain", "conn-3");

            assertThat(drain.exit()).as(drain.err()).isZero();
            assertThat(drain.out()).isEqualTo("node=conn-3 draining=true connections=0");
            assertThat(exited.await(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> !pushctl("cluster", "status").out().contains("id=conn-3"));
        }
    }

    @Test
    void cluster_whenZooKeeperDoesNotAnswer_thenFailsNamingIt() {
        Result status = pushctl("cluster", "status", "--zookeeper", "127.0.0.1:1");

        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.err()).contains("ZooKeeper at 127.0.0.1:1 did not answer");
    }

    private static String field(String out, String name) {
        return out.replaceAll("(?s).*(?:^|\\s)" + name + "=(\\S+).*", "$1");
    }
}
