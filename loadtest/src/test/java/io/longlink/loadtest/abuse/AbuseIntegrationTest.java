package io.longlink.loadtest.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.loadtest.it.ProcessStack;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.Stack;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The abuse benchmark at small scale against one stack of real processes (Redis, ZooKeeper, Kafka,
 * one api-, router- and conn-node from their packaged jars, started with ops/node): the scenario runs
 * in this JVM as ops/bench would run it and must end with a RESULT line. Without attackers every
 * push reaches its device; with a few of each, what the attackers and the quota app saw is counted.
 * How well the node holds its healthy devices under attack is for ops/bench to measure.
 */
class AbuseIntegrationTest {
    private static final List<String> KEYS = List.of("healthy_p99_ms_baseline", "healthy_p99_ms_attack",
            "conn_heap_growth_mb", "attackers_refused", "healthy_disconnects", "lost", "target_lost_ok",
            "target_disconnects_ok", "target_p99_ok", "target_heap_ok", "conn_heap_mb_baseline", "conn_heap_mb_attack",
            "accepted", "received", "quota_accepted", "quota_refused");
    private static final List<String> TINY = List.of(AbuseCommand.NAME, "--devices", "20", "--rate", "20",
            "--source-ips", "2", "--warmup-s", "0", "--baseline-s", "3", "--attack-s", "4",
            "--grace-s", "20",
            "--time-cap-s", "300");

    private static ProcessStack processes;
    private static Stack stack;

    @BeforeAll
    static void startStack() throws Exception {
        processes = ProcessStack.create("abuse-it");
        for (String name : List.of("redis", "zookeeper", "kafka", "api-1")) {
            processes.nodes().run("start", name);
        }
        processes.startAll(List.of("router-1", "conn-1"));
        int base = processes.portBase();
        InetSocketAddress device = InetSocketAddress.createUnresolved("127.0.0.1", base + 101);
        String api = "127.0.0.1:" + (base + 10);
        stack = new Stack("redis://127.0.0.1:" + (base + 1), device, URI.create("http://127.0.0.1:" + (base + 301)),
                processes.pid("conn-1"), 0, List.of(device), api, List.of(api), processes.adminToken(), Map.of(),
                List.of());
    }

    @AfterAll
    static void stopStack() throws Exception {
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

    @Test
    void run_whenNoAttackers_thenEveryKeyAndEveryPushDelivered() throws Exception {
        Map<String, String> r = run("--connect-flood-per-s", "0", "--silent-sockets", "0", "--ping-flooders", "0",
                "--ack-flooders", "0", "--garbage-per-s", "0", "--quota", "0", "--rehearsal-s", "0");

        assertThat(r).containsEntry("scenario", "abuse").containsEntry("status", "ok").containsKeys(KEYS.toArray(
                String[]::new));
        assertThat(r).containsEntry("lost", "0").containsEntry("target_lost_ok", "true")
                .containsEntry("healthy_disconnects", "0").containsEntry("attackers_refused", "0")
                .containsEntry("quota_accepted", "0");
        assertThat(Long.parseLong(r.get("accepted"))).isPositive();
        assertThat(Long.parseLong(r.get("measured_baseline"))).isPositive();
        assertThat(Long.parseLong(r.get("measured_attack"))).isPositive();
        assertThat(Long.parseLong(r.get("healthy_p99_ms_baseline"))).isNotNegative();
        assertThat(Double.parseDouble(r.get("conn_heap_mb_baseline"))).isPositive();
    }

    @Test
    void run_whenFewAttackersOfEachKind_thenTheirLoginsAndRefusalsCounted() throws Exception {
        Map<String, String> r = run("--connect-flood-per-s", "20", "--silent-sockets", "10", "--ping-flooders", "2",
                "--pings-per-s", "100", "--ack-flooders", "2", "--ack-ids-per-s", "1000", "--garbage-per-s", "10",
                "--quota", "5", "--rehearsal-s", "1"); // a rehearsal of 1 s, then 1 s without attackers

        assertThat(r).containsEntry("status", "ok").containsKeys(KEYS.toArray(String[]::new));
        // each flooder logs in; 100 PINGs/s is over conn.max-frames-per-s (50): RATE_LIMITED, then it comes back
        assertThat(Long.parseLong(r.get("attack_ping_logged_in"))).isGreaterThanOrEqualTo(2);
        assertThat(r.get("attack_reasons")).contains("ping:rate_limited");
        assertThat(Long.parseLong(r.get("attack_ack_logged_in"))).isGreaterThanOrEqualTo(2);
        assertThat(Long.parseLong(r.get("attack_flood_logged_in"))).isPositive();
        assertThat(Long.parseLong(r.get("attack_silent_opened"))).isGreaterThanOrEqualTo(10);
        // the node closes a socket that sends garbage or an oversize frame at once, with an ERROR
        assertThat(Long.parseLong(r.get("attack_garbage_refused"))).isPositive();
        assertThat(Long.parseLong(r.get("attackers_refused")))
                .isGreaterThanOrEqualTo(Long.parseLong(r.get("attack_garbage_refused")));
        assertThat(r.get("attack_reasons")).containsAnyOf("garbage:frame_too_large", "garbage:malformed_frame");
        assertThat(Long.parseLong(r.get("attack_pings_sent"))).isPositive();
        assertThat(Long.parseLong(r.get("attack_ack_ids_sent"))).isPositive();
        // 50 pushes/s against a quota of 5/s: the API refuses most
        assertThat(Long.parseLong(r.get("quota_refused"))).isGreaterThan(Long.parseLong(r.get("quota_accepted")));
    }
}
