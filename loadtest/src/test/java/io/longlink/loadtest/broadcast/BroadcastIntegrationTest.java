package io.longlink.loadtest.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.loadtest.it.ProcessStack;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.Stack;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broadcast benchmark at small scale against one stack of real processes (Redis, ZooKeeper, Kafka,
 * one api-, router- and conn-node from their packaged jars, started with ops/node): 50 devices, two
 * short steps, as broadcasts and as tag pushes; the scenario runs in this JVM as ops/bench would run
 * it, and every accepted push must reach every device exactly once.
 */
class BroadcastIntegrationTest {
    private static final int DEVICES = 50;
    private static final List<String> KEYS = List.of("deliveries_per_s", "p50_ms", "p99_ms", "lost", "duplicates",
            "sustained_step", "accepted", "expected", "delivered", "refused", "cpu_pct_conn_1", "cpu_pct_generator",
            "step1_offered_per_s", "step1_deliveries_per_s", "step1_p99_ms", "step2_offered_per_s",
            "step2_deliveries_per_s", "step2_p99_ms", "step2_max_ms", "step2_refused", "step2_lost",
            "past_capacity_max_ms", "target_deliveries_ok", "target_lost_ok",
            "target_duplicates_ok");
    private static final List<String> TINY = List.of(BroadcastCommand.NAME, "--devices", Integer.toString(DEVICES),
            "--rates", "2,4", "--step-s", "3", "--warmup-s", "1", "--source-ips", "2", "--grace-s", "20",
            "--time-cap-s", "300");

    private static ProcessStack processes;
    private static Stack stack;
    private static Path out;

    @BeforeAll
    static void startStack() throws Exception {
        processes = ProcessStack.create("broadcast-it");
        for (String name : List.of("redis", "zookeeper", "kafka")) {
            processes.nodes().run("start", name);
        }
        // every push offered must be accepted here: the fan-out admission stays on, with a bound that a
        // router routing 50 devices' broadcasts does not reach even on a loaded machine
        processes.nodes().run("start", "api-1", "api.fanout-max-lag-ms=10000");
        processes.nodes().run("start", "router-1");
        // devices come from a few loopback addresses, as in ops/bench (StackPlan.LOOPBACK_DEVICES)
        processes.nodes().run("start", "conn-1", "conn.connect-rate-per-ip=0");
        int base = processes.portBase();
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String name : List.of("redis", "kafka", "api-1", "router-1", "conn-1")) {
            pids.put(name, processes.pid(name));
        }
        InetSocketAddress device = InetSocketAddress.createUnresolved("127.0.0.1", base + 101);
        String api = "127.0.0.1:" + (base + 10);
        stack = new Stack("redis://127.0.0.1:" + (base + 1), device, URI.create("http://127.0.0.1:" + (base + 301)),
                pids.get("conn-1"), pids.get("redis"), List.of(device), api, List.of(api), processes.adminToken(), pids,
                List.of());
        out = processes.work().resolve("bench");
        System.setProperty("longlink.bench.out", out.toString());
    }

    @AfterAll
    static void stopStack() throws Exception {
        System.clearProperty("longlink.bench.out");
        if (processes != null) {
            processes.close();
        }
    }

    private static Map<String, String> run(String... options) throws Exception {
        List<String> line = new ArrayList<>(TINY);
        line.addAll(List.of(options));
        Scenario scenario = Scenarios.parse(line, System.out).orElseThrow();
        String result = scenario.run(stack).format();
        System.out.println(result);
        return ResultLine.parse(result);
    }

    private static void assertEveryCopyOnce(Map<String, String> r) {
        assertThat(r).containsEntry("scenario", BroadcastCommand.NAME).containsEntry("status", "ok")
                .containsKeys(KEYS.toArray(String[]::new));
        assertThat(r).containsEntry("lost", "0").containsEntry("duplicates", "0")
                .containsEntry("target_lost_ok", "true").containsEntry("target_duplicates_ok", "true").containsEntry("step1_offered_per_s", "2")
                .containsEntry("step2_offered_per_s", "4").containsEntry("refused", "0").containsEntry("drops", "0")
                .containsEntry("step2_refused", "0").containsEntry("past_capacity_max_ms", "-1");
        long accepted = Long.parseLong(r.get("accepted"));
        // warm-up 1 s at 2/s, then 3 s at 2/s and 3 s at 4/s
        assertThat(accepted).isEqualTo(2 + 6 + 12);
        assertThat(Long.parseLong(r.get("delivered"))).isEqualTo(DEVICES * accepted);
        assertThat(Long.parseLong(r.get("expected"))).isEqualTo(DEVICES * accepted);
        assertThat(Double.parseDouble(r.get("step2_deliveries_per_s"))).isPositive();
        assertThat(Long.parseLong(r.get("step2_p99_ms"))).isNotNegative();
        assertThat(Long.parseLong(r.get("step2_max_ms"))).isGreaterThanOrEqualTo(Long.parseLong(r.get("step2_p99_ms")));
    }

    @Test
    void run_whenBroadcastsWithProfile_thenEveryDeviceGetsEachOnceAndConnOneRecorded() throws Exception {
        Map<String, String> r = run("--kind", "broadcast", "--profile", "true");

        assertEveryCopyOnce(r);
        assertThat(r).containsEntry("kind", "broadcast");
        assertThat(out.resolve("broadcast-conn-1.jfr")).isNotEmptyFile();
        // a 3 s step of 50 devices may leave few Java samples: the recording must read, whatever it holds
        assertThat(ConnProfile.hottest(out.resolve("broadcast-conn-1.jfr"), ConnProfile.JAVA_SAMPLE, 20))
                .hasSizeLessThanOrEqualTo(20);
    }

    @Test
    void run_whenTagEveryDeviceCarries_thenEveryDeviceGetsEachOnce() throws Exception {
        Map<String, String> r = run("--kind", "tag", "--ttl-s", "0");

        assertEveryCopyOnce(r);
        assertThat(r).containsEntry("kind", "tag").containsEntry("ttl_s", "0");
    }
}
