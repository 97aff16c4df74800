package io.longlink.loadtest.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.longlink.loadtest.idle.IdleConnectionsCommand;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.Stack;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole idle-connections scenario against a real conn-node in this JVM: warm-up, probes (jcmd
 * on this process, /proc, /metrics), connections gauge and route checks, RESULT line. The figures
 * mix the generator's and the node's objects here, so only the checks and the line are asserted;
 * ops/bench runs the node in its own process for the real figures.
 */
class IdleConnectionsIntegrationTest {
    @RegisterExtension
    static final TestConnNode conn = TestConnNode.withHeartbeatMax(30);

    @Test
    void run_whenNodeTakesAllConnections_thenResultLineWithVerifiedCountsAndRoutes() throws Exception {
        Scenario scenario = Scenarios.parse(List.of(IdleConnectionsCommand.NAME,
                "--connections", "300", "--warmup-connections", "100", "--warmup-max-s", "1", "--settle-s", "0",
                "--idle-s", "0", "--heartbeat-s", "30", "--time-cap-s", "120"), System.out).orElseThrow();
        Stack stack = new Stack(conn.redis().uri(), InetSocketAddress.createUnresolved("127.0.0.1",
                conn.node().deviceAddress().getPort()), URI.create("http://127.0.0.1:" + conn.node().adminPort()),
                ProcessHandle.current().pid(), 0);

        Map<String, String> result = ResultLine.parse(scenario.run(stack).format());

        boolean compact = Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("UseCompactObjectHeaders").getValue());
        assertThat(result).containsEntry("scenario", "idle-connections").containsEntry("status", "ok")
                .containsEntry("connections", "300").containsEntry("node_connections", "300")
                .containsEntry("routes", "300").containsEntry("dropped", "0")
                .containsEntry("compact_headers", Boolean.toString(compact))
                .containsKeys("heap_bytes_per_conn", "rss_bytes_per_conn", "native_rss_bytes_per_conn",
                        "memory_bytes_per_conn", "kernel_bytes_per_conn", "direct_bytes_per_conn", "connects_per_s", "cpu_ms_per_1k_connects_node");
        assertThat(result).containsEntry("cpu_ms_per_1k_connects_redis", "unknown");
        assertThat(Long.parseLong(result.get("connects_per_s"))).isPositive();
        assertThat(Long.parseLong(result.get("warmup_connects"))).isGreaterThanOrEqualTo(100);
        // The scenario closes what it opened: nothing stays on the node once it has seen the closes.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(conn.node().sessionIndex().size()).isZero());
    }

    @Test
    void run_whenTransportMqtt_thenDevicesConnectOverMqttAndResultLineSaysSo() throws Exception {
        Scenario scenario = Scenarios.parse(List.of(IdleConnectionsCommand.NAME, "--transport", "mqtt",
                "--connections", "200", "--warmup-connections", "0", "--settle-s", "0", "--idle-s", "0",
                "--heartbeat-s", "30", "--time-cap-s", "120"), System.out).orElseThrow();
        // no device listener to fall back on: port 1 refuses, only the MQTT listener can take the devices
        Stack stack = new Stack(conn.redis().uri(), InetSocketAddress.createUnresolved("127.0.0.1", 1),
                URI.create("http://127.0.0.1:" + conn.node().adminPort()), ProcessHandle.current().pid(), 0)
                .withMqtts(List.of(InetSocketAddress.createUnresolved("127.0.0.1",
                        conn.node().mqttAddress().getPort())));

        Map<String, String> result = ResultLine.parse(scenario.run(stack).format());

        assertThat(result).containsEntry("status", "ok").containsEntry("transport", "mqtt")
                .containsEntry("connections", "200").containsEntry("node_connections", "200")
                .containsEntry("routes", "200").containsEntry("dropped", "0").containsEntry("target_heap_bytes", "2560");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(conn.node().sessionIndex().size()).isZero());
    }
}
