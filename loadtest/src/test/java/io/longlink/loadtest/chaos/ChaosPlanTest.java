package io.longlink.loadtest.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.StackPlan;
import io.longlink.loadtest.scenario.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosPlanTest {
    private static StackPlan plan(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(ChaosCommand.NAME));
        line.addAll(List.of(args));
        return Scenarios.parse(line, System.out).orElseThrow().plan();
    }

    @Test
    void plan_whenDefaults_thenTwoApiNodesTwoRoutersThreeConnNodesAndTheDevicesJvm() throws Exception {
        StackPlan p = plan();

        assertThat(p.processes()).containsExactly("redis", "zookeeper", "kafka", "router", "api", "conn");
        assertThat(p.lines()).contains("conn_nodes=3", "routers=2", "apis=2",
                "bench_java_opts=-Xms1g -Xmx1g -Xss512k -XX:+UseSerialGC", "time_cap_s=1500");
    }

    @Test
    void parse_whenUnknownFault_thenUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> plan("--faults", "conn_kill,disk_full"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--faults");
    }

    @Test
    void schedule_whenSameSeed_thenSameNodesHit() {
        List<FaultStep> a = FaultStep.schedule(Fault.parse("all"), 42, 3, 2, 2);
        List<FaultStep> b = FaultStep.schedule(Fault.parse("all"), 42, 3, 2, 2);

        assertThat(a).isEqualTo(b).hasSize(9);
        assertThat(a.get(0).target()).matches("conn-[123]");
        assertThat(a.get(3)).extracting(FaultStep::fault).isEqualTo(Fault.ROUTER_PAUSE);
        assertThat(a.get(4).target()).isEqualTo("redis");
        assertThat(Fault.parse("kafka_restart, conn_drain")).containsExactly(Fault.KAFKA_RESTART, Fault.CONN_DRAIN);
    }
}
