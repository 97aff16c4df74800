package io.longlink.loadtest.unicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.StackPlan;
import io.longlink.loadtest.scenario.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnicastPlanTest {
    private static StackPlan plan(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(UnicastCommand.NAME));
        line.addAll(List.of(args));
        return Scenarios.parse(line, System.out).orElseThrow().plan();
    }

    @Test
    void plan_whenDefaults_thenWholePipelineWithTwoConnNodesAndOneRouter() throws Exception {
        StackPlan p = plan();

        assertThat(p.processes()).containsExactly("redis", "zookeeper", "kafka", "router", "api", "conn");
        assertThat(p.connNodes()).isEqualTo(2);
        assertThat(p.routers()).isEqualTo(1);
        assertThat(p.nodeJavaOpts()).isEqualTo("-Xms512m -Xmx512m -XX:+UseSerialGC");
        assertThat(p.lines()).contains("processes=redis zookeeper kafka router api conn", "conn_nodes=2", "routers=1",
                "conn_setting=conn.receipts.enabled=true", "node_java_opts=-Xms512m -Xmx512m -XX:+UseSerialGC");
    }

    @Test
    void plan_whenTwoRoutersWithoutReceipts_thenSaid() throws Exception {
        StackPlan p = plan("--routers", "2", "--receipts", "false");

        assertThat(p.routers()).isEqualTo(2);
        assertThat(p.connSettings()).containsEntry("conn.receipts.enabled", "false");
    }

    @Test
    void options_whenThreeRouters_thenUsageErrorNamesTheRange() {
        assertThatThrownBy(() -> plan("--routers", "3")).isInstanceOf(UsageException.class)
                .hasMessage("--routers: '3' (expected: an integer from 1 to 2)");
    }

    @Test
    void plan_whenNodeJvmHasShellCharacters_thenRefused() {
        assertThatThrownBy(() -> plan("--node-jvm", "-Xmx1g;rm")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("characters the shell would interpret");
    }

    @Test
    void sustained_whenAckRateKeptUpButLatencyInSeconds_thenNotSustained() {
        // a pipeline draining the warm-up's backlog acks faster than offered while its queue stands
        assertThat(UnicastScenario.sustained(0, 2_014, 19_682, 1_600)).isFalse();
    }

    @Test
    void sustained_whenAckRateAndLatencyKeptAndNoFailure_thenSustained() {
        assertThat(UnicastScenario.sustained(0, 1_202, 339, 1_200)).isTrue();
    }

    @Test
    void sustained_whenCallsFailedOrAckRateShort_thenNotSustained() {
        assertThat(UnicastScenario.sustained(1, 1_200, 10, 1_200)).isFalse();
        assertThat(UnicastScenario.sustained(0, 1_100, 10, 1_200)).isFalse();
        assertThat(UnicastScenario.sustained(0, 1_200, -1, 1_200)).isFalse();
    }
}
