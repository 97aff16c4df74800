package io.longlink.loadtest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.StackPlan;
import io.longlink.loadtest.scenario.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MqttFanoutPlanTest {
    private static StackPlan plan(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(MqttFanoutCommand.NAME));
        line.addAll(List.of(args));
        return Scenarios.parse(line, System.out).orElseThrow().plan();
    }

    @Test
    void plan_whenDefaults_thenWholePipelineOneConnNodeAndNoRateLimitOfTheOneApp() throws Exception {
        StackPlan p = plan();

        assertThat(p.processes()).containsExactly("redis", "zookeeper", "kafka", "router", "api", "conn");
        assertThat(p.connNodes()).isEqualTo(1);
        assertThat(p.routers()).isEqualTo(1);
        assertThat(p.connSettings()).containsEntry("conn.connect-rate-per-ip", "0");
        assertThat(p.apiSettings()).containsEntry("api.quota.fanouts-per-s", "100000")
                .containsEntry("api.quota.pushes-per-s", "1000000");
        assertThat(p.timeCapSeconds()).isEqualTo(900);
        assertThat(p.routerSettings()).containsEntry("router.ack-wait-ms", "250");
    }

    @Test
    void plan_whenTwoConnNodes_thenTwo_andThreeRefusedWithTheRange() throws Exception {
        assertThat(plan("--conn-nodes", "2").connNodes()).isEqualTo(2);
        assertThatThrownBy(() -> plan("--conn-nodes", "3")).isInstanceOf(UsageException.class)
                .hasMessage("--conn-nodes: '3' (expected: an integer from 1 to 2)");
    }

    @Test
    void options_whenMoreSubscribersThanTheOpenFileLimitAllows_thenRefused() {
        assertThatThrownBy(() -> plan("--subscribers", "20000")).isInstanceOf(UsageException.class)
                .hasMessage("--subscribers: '20000' (expected: an integer from 1 to 19000)");
    }
}
