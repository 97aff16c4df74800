package io.longlink.loadtest.sharded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.StackPlan;
import io.longlink.loadtest.scenario.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardedPlanTest {
    private static StackPlan plan(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(ShardedCommand.NAME));
        line.addAll(List.of(args));
        return Scenarios.parse(line, System.out).orElseThrow().plan();
    }

    @Test
    void plan_whenDefaults_thenTenSmallConnNodesTwoRoutersAndTheNodesOwnLoadPublishing() throws Exception {
        StackPlan p = plan();

        assertThat(p.processes()).containsExactly("redis", "zookeeper", "kafka", "router", "api", "conn");
        assertThat(p.lines()).contains("conn_nodes=10", "routers=2", "time_cap_s=1800",
                "conn_java_opts=-Xms256m -Xmx256m -XX:+UseSerialGC", "conn_setting=conn.connect-rate-per-ip=0",
                "conn_setting=conn.load-publish-interval-ms=5000").doesNotContain("apis=2");
    }

    @Test
    void parse_whenElevenConnNodes_thenUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> plan("--conn-nodes", "11"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--conn-nodes");
    }

    @Test
    void skew_whenCountsUneven_thenLargestMinusSmallestOverTheMean() {
        ShardedScenario.Skew s = ShardedScenario.Skew.of(new long[] {90, 100, 110});

        assertThat(s.value()).isEqualTo(0.2);
        assertThat(s.min()).isEqualTo(90);
        assertThat(s.max()).isEqualTo(110);
        assertThat(ShardedScenario.Skew.of(new long[] {0, 0}).value()).isZero();
    }
}
