package io.longlink.loadtest.idle;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.StackPlan;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleConnectionsPlanTest {
    private static IdleConnectionsCommand parse(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(IdleConnectionsCommand.NAME));
        line.addAll(List.of(args));
        return (IdleConnectionsCommand) Scenarios.parse(line, System.out).orElseThrow();
    }

    private static StackPlan plan(String... args) throws Exception {
        return parse(args).plan();
    }

    @Test
    void plan_whenDefaults_thenRedisZooKeeperOneConnNodeWithoutReceiptsAndFixedSerialHeap() throws Exception {
        StackPlan p = plan();

        assertThat(p.processes()).containsExactly("redis", "zookeeper", "conn");
        assertThat(p.connJavaOpts()).isEqualTo("-Xms1024m -Xmx1024m -XX:+UseSerialGC -XX:-UseCompactObjectHeaders");
        assertThat(p.connSettings()).containsEntry("conn.receipts.enabled", "false")
                .containsEntry("conn.heartbeat-max-s", "1800")
                .containsEntry("conn.route-ttl-ms", "3660000");
        assertThat(p.lines()).startsWith("processes=redis zookeeper conn", "time_cap_s=600",
                "conn_java_opts=-Xms1024m -Xmx1024m -XX:+UseSerialGC -XX:-UseCompactObjectHeaders");
    }

    @Test
    void plan_whenCompactHeaders_thenFlagOn() throws Exception {
        assertThat(plan("--compact-headers", "true").connJavaOpts()).endsWith("-XX:+UseCompactObjectHeaders");
    }

    @Test
    void compactHeadersGiven_whenSetEvenToItsDefault_thenTrue() throws Exception {
        // a run against a running node checks the node's flag only when the command line names one
        assertThat(parse().compactHeadersGiven()).isFalse();
        assertThat(parse("--compact-headers", "false").compactHeadersGiven()).isTrue();
    }

    @Test
    void plan_whenShortHeartbeat_thenNodeRangeStillValid() throws Exception {
        StackPlan p = plan("--heartbeat-s", "10");

        // conn-node checks min <= default <= max and route TTL >= 2 x max
        assertThat(p.connSettings()).containsEntry("conn.heartbeat-min-s", "10")
                .containsEntry("conn.heartbeat-default-s", "10")
                .containsEntry("conn.heartbeat-max-s", "10")
                .containsEntry("conn.route-ttl-ms", "1800000");
    }

    @Test
    void transport_whenAbsentOrGiven_thenTcpByDefaultAndMqttWhenAsked() throws Exception {
        assertThat(parse().transport).isEqualTo(io.longlink.loadtest.client.DeviceTransport.TCP);
        assertThat(parse("--transport", "MQTT").transport).isEqualTo(io.longlink.loadtest.client.DeviceTransport.MQTT);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("--transport", "udp"))
                .isInstanceOf(io.longlink.loadtest.scenario.UsageException.class)
                .hasMessageContaining("--transport");
    }
}
