package io.longlink.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tarballs {@code mvn package} builds, as an operator uses them on a clean machine: unpacked,
 * started with their bin/ launcher in the foreground, stopped the way systemd stops a unit (SIGTERM,
 * or a conn-node's drain), against real Redis, ZooKeeper and Kafka.
 */
@ExtendWith(Infra.class)
class DistributionIntegrationTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    // small enough for a test machine; the role's collector and its other flags stay as shipped
    private static final Map<String, String> SMALL_JVM = Map.of("LONGLINK_HEAP", "160m",
            "JAVA_OPTS", "-XX:-AlwaysPreTouch -XX:TieredStopAtLevel=1");

    @TempDir
    Path installs;
    private final Map<String, Process> started = new HashMap<>();

    @AfterEach
    void stopAll() {
        started.values().forEach(Process::destroyForcibly);
    }

    @ParameterizedTest
    @ValueSource(strings = {"conn-node", "router-node", "api-node"})
    void launcher_whenAskedForItsVersion_thenPrintsRoleAndBuildVersion(String role) throws Exception {
        Path home = Repo.unpack(role, installs);

        Repo.Result version = Repo.run(Map.of("JAVA_HOME", javaHome()), home.resolve("bin/longlink-" + role).toString(),
                "--version");

        assertThat(version.exit()).as(version.err()).isZero();
        assertThat(version.out().trim()).isEqualTo(role + " " + Repo.version());
        assertThat(home.resolve("conf/" + role + ".properties")).isRegularFile();
        assertThat(home.resolve("systemd/longlink-" + role + ".service")).isRegularFile();
    }

    @Test
    void tarballs_whenStartedAndStoppedAsSupervised_thenEachRoleGetsReadyAndStopsCleanly(RedisServer redis,
            TestingServer zk, KafkaCluster kafka) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> shared = new HashMap<>(SMALL_JVM);
        shared.putAll(Map.of("JAVA_HOME", javaHome(),
                "LONGLINK_ZOOKEEPER_CONNECT", zk.getConnectString(), "LONGLINK_ZOOKEEPER_NAMESPACE", "dist-" + id,
                "LONGLINK_REDIS_URIS", redis.uri(), "LONGLINK_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "LONGLINK_KAFKA_COMMAND_TOPIC", "commands-" + id, "LONGLINK_KAFKA_RECEIPT_TOPIC", "receipts-" + id,
                "LONGLINK_INTERNAL_TLS_ENABLED", "false"));

        int router = start("router-node", shared, Map.of("LONGLINK_ROUTER_CONSUMER_GROUP", "routers-" + id,
                "LONGLINK_ROUTER_COMMAND_PARTITIONS", "2", "LONGLINK_ROUTER_RECEIPT_PARTITIONS", "2"));
        int api = start("api-node", shared, Map.of("LONGLINK_API_GRPC_PORT", String.valueOf(FreePorts.next())));
        int conn = start("conn-node", shared, Map.of("LONGLINK_CONN_DEVICE_PORT", String.valueOf(FreePorts.next()),
                "LONGLINK_CONN_GRPC_PORT", String.valueOf(FreePorts.next())));
        for (int admin : new int[] {router, api, conn}) {
            await().atMost(Duration.ofSeconds(120)).until(() -> status(admin, "/readyz") == 200);
        }
        assertThat(get(conn, "/metrics")).contains("longlink_node_info{role=\"conn\"");

        // a conn-node asked to drain takes its devices out of service and exits 0 by itself
        Repo.Result drain = Repo.run(Map.of(), installs.resolve(dir("conn-node") + "/bin/longlink-drain").toString(),
                "127.0.0.1:" + conn);
        assertThat(drain.exit()).as(drain.err()).isZero();
        assertThat(drain.out()).contains("draining");
        assertThat(exitWithin("conn-node")).isZero();
        // systemd's stop: SIGTERM, an orderly shutdown, and the JVM's 143 (SuccessExitStatus=143)
        for (String role : new String[] {"api-node", "router-node"}) {
            started.get(role).destroy();
            assertThat(exitWithin(role)).as(role).isEqualTo(143);
        }
    }

    /** Starts ROLE from its unpacked tarball with its own admin port; returns that port. */
    private int start(String role, Map<String, String> shared, Map<String, String> own) throws Exception {
        Path home = Repo.unpack(role, installs);
        int admin = FreePorts.next();
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/longlink-" + role).toString())
                .redirectErrorStream(true).redirectOutput(installs.resolve(role + ".log").toFile());
        pb.environment().putAll(shared);
        pb.environment().putAll(own);
        pb.environment().put("LONGLINK_ADMIN_PORT", String.valueOf(admin));
        pb.environment().put("LONGLINK_NODE_ID", role + "-dist");
        pb.environment().put("LONGLINK_LOG_DIR", installs.resolve(role + "-logs").toString());
        started.put(role, pb.start());
        return admin;
    }

    private String dir(String role) {
        return "longlink-" + role + "-" + Repo.version();
    }

    private int exitWithin(String role) throws InterruptedException, IOException {
        Process p = started.get(role);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError(role + " did not exit within 60 s; log: " + Files.readString(installs.resolve(role + ".log")));
        }
        return p.exitValue();
    }

    private static int status(int port, String path) {
        try {
            return HTTP.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String get(int port, String path) throws Exception {
        return HTTP.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
    }

    private static String javaHome() {
        return System.getProperty("java.home");
    }
}
