package io.longlink.loadtest.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AbusePlanTest {
    private static AbuseCommand parse(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(AbuseCommand.NAME));
        line.addAll(List.of(args));
        return (AbuseCommand) Scenarios.parse(line, System.out).orElseThrow();
    }

    @Test
    void plan_whenDefaults_thenOneNodeOfEachRoleWithDefaultSettingsAndTenMinuteCap() throws Exception {
        AbuseCommand c = parse();

        assertThat(c.plan().processes()).containsExactly("redis", "zookeeper", "kafka", "router", "api", "conn");
        // the limits under test are the conn-node's defaults: the bench sets none
        assertThat(c.plan().connSettings()).isEmpty();
        assertThat(c.plan().lines()).contains("conn_nodes=1", "routers=1", "time_cap_s=600",
                "conn_java_opts=-Xms512m -Xmx512m -XX:+UseSerialGC");
        assertThat(c.attackPlan()).isEqualTo(new AttackPlan(500, 2_000, 50, 500, 50, 10_000, 20));
        assertThat(c.devices).isEqualTo(5_000);
        assertThat(c.rate).isEqualTo(500);
        assertThat(c.baselineS).isEqualTo(60);
        assertThat(c.attackS).isEqualTo(60);
    }

    @Test
    void attackPlan_whenEveryAttackerZero_thenNone() throws Exception {
        AbuseCommand c = parse("--connect-flood-per-s", "0", "--silent-sockets", "0", "--ping-flooders", "0",
                "--ack-flooders", "0", "--garbage-per-s", "0");

        assertThat(c.attackPlan().any()).isFalse();
        assertThat(AttackPlan.none().any()).isFalse();
        assertThat(parse().attackPlan().any()).isTrue();
    }

    @Test
    void parse_whenRateOutOfRange_thenUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> parse("--silent-sockets", "-1")).isInstanceOf(UsageException.class)
                .hasMessage("--silent-sockets: '-1' (expected: an integer from 0 to 10000)");
    }
}
