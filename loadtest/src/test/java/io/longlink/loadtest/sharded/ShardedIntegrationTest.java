package io.longlink.loadtest.sharded;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.loadtest.it.ProcessStack;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.Stack;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sharded benchmark at small scale against one stack of real processes (Redis, ZooKeeper, Kafka,
 * one api- and router-node, three conn-nodes from their packaged jars, started with ops/node): 600
 * devices in two generator processes, each placed by the bootstrap service; the scenario runs in
 * this JVM as ops/bench would run it and must account for every accepted push.
 */
class ShardedIntegrationTest {
    private static final int CONN_NODES = 3;
    private static final List<String> KEYS = List.of("devices", "unicast_acked_per_s", "broadcast_deliveries_per_s",
            "p99_ms", "lost", "heap_bytes_per_conn", "rss_bytes_per_conn",
            "native_rss_bytes_per_conn", "memory_bytes_per_conn", "bootstrap_skew", "node_connections",
            "connect_s", "unicast_accepted", "broadcasts_accepted", "cpu_pct_conn", "cpu_pct_shard");

    private static ProcessStack processes;
    private static Stack stack;

    @BeforeAll
    static void startStack() throws Exception {
        processes = ProcessStack.create("sharded-it");
        for (String name : List.of("redis", "zookeeper", "kafka", "api-1")) {
            processes.nodes().run("start", name);
        }
        processes.nodes().run("start", "router-1");
        List<String> admins = new ArrayList<>();
        List<InetSocketAddress> devices = new ArrayList<>();
        Map<String, Long> pids = new LinkedHashMap<>();
        int base = processes.portBase();
        for (int i = 1; i <= CONN_NODES; i++) {
            // devices come from a few loopback addresses, as in ops/bench (StackPlan.LOOPBACK_DEVICES)
            processes.nodes().run("start", "conn-" + i, "conn.connect-rate-per-ip=0");
            devices.add(InetSocketAddress.createUnresolved("127.0.0.1", base + 100 + i));
            admins.add("http://127.0.0.1:" + (base + 300 + i));
            pids.put("conn-" + i, processes.pid("conn-" + i));
        }
        for (String name : List.of("redis", "kafka", "api-1", "router-1")) {
            pids.put(name, processes.pid(name));
        }
        String api = "127.0.0.1:" + (base + 10);
        stack = new Stack("redis://127.0.0.1:" + (base + 1), devices.getFirst(), URI.create(admins.getFirst()),
                pids.get("conn-1"), pids.get("redis"), devices, api, List.of(api), processes.adminToken(), pids,
                List.of());
        System.setProperty(ShardedScenario.CONN_ADMINS, String.join(",", admins));
        System.setProperty("longlink.bench.out", processes.work().resolve("bench").toString());
    }

    @AfterAll
    static void stopStack() throws Exception {
        System.clearProperty(ShardedScenario.CONN_ADMINS);
        System.clearProperty("longlink.bench.out");
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    void run_whenDevicesPlacedByBootstrap_thenEveryKeyAndNoPushLost() throws Exception {
        Scenario scenario = Scenarios.parse(List.of(ShardedCommand.NAME, "--conn-nodes", "3", "--devices", "600",
                "--shards", "2", "--routers", "1", "--rate", "50", "--broadcast-every-s", "2", "--load-warmup-s", "2",
                "--duration-s", "6", "--grace-s", "20",
                "--shard-jvm", "-Xms64m,-Xmx128m,-XX:+UseSerialGC,-XX:TieredStopAtLevel=1",
                "--time-cap-s", "400"), System.out).orElseThrow();
        String result = scenario.run(stack).format();
        System.out.println(result);
        Map<String, String> r = ResultLine.parse(result);

        assertThat(r).containsEntry("scenario", ShardedCommand.NAME).containsEntry("status", "ok")
                .containsKeys(KEYS.toArray(String[]::new));
        assertThat(r).containsEntry("devices", "600").containsEntry("lost", "0").containsEntry("target_lost_ok", "true")
                .containsEntry("unicast_duplicates", "0").containsEntry("drops", "0");
        assertThat(Long.parseLong(r.get("unicast_accepted"))).isPositive();
        // the rate counts the measured 6 s only; the warm-up's pushes are accounted for (lost=0) but not timed
        assertThat(Long.parseLong(r.get("unicast_acked_per_s")) * 6).isPositive()
                .isLessThan(Long.parseLong(r.get("unicast_accepted")));
        assertThat(Long.parseLong(r.get("broadcasts_accepted"))).isGreaterThanOrEqualTo(2);
        assertThat(Long.parseLong(r.get("broadcast_copies")))
                .isEqualTo(600 * Long.parseLong(r.get("broadcasts_accepted")));
        // each node's count is its own gauge; together they hold every device
        String[] counts = r.get("node_connections").split("/");
        assertThat(counts).hasSize(CONN_NODES);
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (String c : counts) {
            long n = Long.parseLong(c);
            sum += n;
            min = Math.min(min, n);
            max = Math.max(max, n);
        }
        assertThat(sum).isEqualTo(600);
        assertThat(Double.parseDouble(r.get("bootstrap_skew"))).isCloseTo((max - min) / 200.0,
                org.assertj.core.data.Offset.offset(0.001));
        assertThat(Double.parseDouble(r.get("heap_bytes_per_conn"))).isPositive();
    }
}
