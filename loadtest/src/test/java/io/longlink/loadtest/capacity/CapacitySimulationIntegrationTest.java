package io.longlink.loadtest.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.loadtest.it.ProcessStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The capacity simulation for a few seconds against one stack of real processes (Redis, ZooKeeper,
 * Kafka, one api-, router- and conn-node from their packaged jars, started with ops/node), run as
 * ops/gatling runs it: Gatling's main class in a JVM of its own. The app is created with the admin
 * token and the conn-node found through the bootstrap service, as against a remote cluster.
 */
class CapacitySimulationIntegrationTest {
    private static final long RUN_TIMEOUT_S = 240;

    private static ProcessStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = ProcessStack.create("capacity-it");
        for (String name : List.of("redis", "zookeeper", "kafka", "api-1")) {
            stack.nodes().run("start", name);
        }
        stack.startAll(List.of("router-1", "conn-1"));
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void run_whenDevicesUnicastAndBroadcastTogether_thenEveryCopyDeliveredAndAssertionsHold() throws Exception {
        Run run = run("mixed", Map.of("devices", "20", "unicast-rate", "40", "batch", "2", "broadcast-rate", "1",
                "assert-p99-ms", "30000"));

        assertThat(run.exitCode).as("Gatling's exit code (0: every assertion held); log %s", run.log).isZero();
        RunSummary s = run.summary();
        assertThat(s.number("connected")).as(s.lines().toString()).isEqualTo(20);
        assertThat(s.number("unicast_accepted")).as(s.lines().toString()).isPositive();
        assertThat(s.number("unicast_received")).as(s.lines().toString()).isGreaterThanOrEqualTo(s.number("unicast_accepted"));
        assertThat(s.number("broadcasts_accepted")).as(s.lines().toString()).isPositive();
        assertThat(s.number("broadcast_copies_expected")).isEqualTo(20 * s.number("broadcasts_accepted"));
        assertThat(s.number("broadcast_received")).as(s.lines().toString())
                .isGreaterThanOrEqualTo(s.number("broadcast_copies_expected"));
        assertThat(s.number("missing")).isZero();
        assertThat(s.number("dropped")).isZero();
        assertThat(s.number("timings_unbound")).isZero();
        // the HTML report, with the deliveries timed on the devices next to the API calls
        assertThat(Files.readString(run.reportFile("index.html"))).contains("unicast delivery", "broadcast delivery",
                "connect", "push", "broadcast", "drain");
    }

    @Test
    void run_whenP99AssertionCannotHold_thenGatlingFailsTheRunAfterDelivering() throws Exception {
        // a push crosses the API, Kafka, a router and a conn-node: never under 1 ms
        Run run = run("strict", Map.of("devices", "5", "unicast-rate", "20", "broadcast-rate", "0", "assert-p99-ms", "1",
                "token-source", "register"));

        assertThat(run.exitCode).as("Gatling's exit code; log %s", run.log).isNotZero();
        assertThat(Files.readString(run.log)).contains("unicast delivery: 99th percentile of response time is less than"
                + " 1.0 : false");
        RunSummary s = run.summary();
        assertThat(s.number("connected")).isEqualTo(5);
        assertThat(s.number("unicast_received")).isGreaterThanOrEqualTo(s.number("unicast_accepted")).isPositive();
    }

    private static Run run(String name, Map<String, String> options) throws IOException, InterruptedException {
        Path out = stack.work().resolve(name);
        Path log = stack.work().resolve(name + "-gatling.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx256m", "-XX:+UseSerialGC", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-Dgatling.data.enableAnalytics=false"));
        Map<String, String> props = new java.util.TreeMap<>(Map.of("api", "127.0.0.1:" + (stack.portBase() + 10),
                "admin-token", stack.adminToken(), "ramp-s", "2", "duration-s", "4", "source-ips", "2", "grace-s", "20",
                "out", out.toString()));
        props.putAll(options);
        props.forEach((k, v) -> cmd.add("-D" + CapacitySettings.PREFIX + k + "=" + v));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.gatling.app.Gatling",
                "-s", CapacitySimulation.class.getName(), "-rf", out.resolve("gatling").toString(), "-rd", name));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(p.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS)).as("Gatling ended; log %s", log).isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), out, log);
    }

    private record Run(int exitCode, Path out, Path log) {
        RunSummary summary() throws IOException {
            return RunSummary.read(out.resolve(RunSummary.FILE));
        }

        Path reportFile(String fileName) throws IOException {
            try (Stream<Path> files = Files.walk(out.resolve("gatling"))) {
                return files.filter(f -> f.getFileName().toString().equals(fileName)).findFirst()
                        .orElseThrow(() -> new AssertionError(fileName + ": not in the report under " + out));
            }
        }
    }
}
