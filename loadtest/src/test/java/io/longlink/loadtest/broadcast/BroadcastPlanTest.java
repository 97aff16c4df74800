package io.longlink.loadtest.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BroadcastPlanTest {
    private static BroadcastCommand parse(String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(BroadcastCommand.NAME));
        line.addAll(List.of(args));
        return (BroadcastCommand) Scenarios.parse(line, System.out).orElseThrow();
    }

    @Test
    void plan_whenDefaults_thenOneConnNodeOneRouterAndEightRisingSteps() throws Exception {
        BroadcastCommand c = parse();

        assertThat(c.plan().processes()).containsExactly("redis", "zookeeper", "kafka", "router", "api", "conn");
        assertThat(c.plan().lines()).contains("conn_nodes=1", "routers=1", "time_cap_s=900",
                "conn_java_opts=-Xms512m -Xmx512m -XX:+UseSerialGC", "conn_setting=conn.connect-rate-per-ip=0");
        assertThat(c.devices).isEqualTo(19_000);
        assertThat(c.kind).isEqualTo(FanOutKind.BROADCAST);
        assertThat(c.rates.perSecond()).containsExactly(1, 2, 4, 8, 12, 16, 20, 24);
        assertThat(c.ttlS).isEqualTo(3600);
        assertThat(c.plan().lines()).noneMatch(l -> l.contains("fanout-")); // the nodes' own defaults
    }

    @Test
    void plan_whenFanOutLingerOrLagBoundGiven_thenTheNodesGetThem() throws Exception {
        assertThat(parse("--fanout-linger-ms", "0", "--fanout-max-lag-ms", "500").plan().lines())
                .contains("conn_setting=conn.fanout-linger-ms=0", "conn_setting=conn.connect-rate-per-ip=0",
                        "api_setting=api.fanout-max-lag-ms=500");
        assertThatThrownBy(() -> parse("--fanout-linger-ms", "1001")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--fanout-linger-ms").hasMessageContaining("0 to 1000");
    }

    @Test
    void plan_whenProfileAndTwoConnNodes_thenConnNodesSampleBetweenSafepoints() throws Exception {
        BroadcastCommand c = parse("--profile", "true", "--conn-nodes", "2", "--kind", "tag");

        assertThat(c.plan().lines()).contains("conn_nodes=2", "conn_java_opts=-Xms512m -Xmx512m -XX:+UseSerialGC"
                + " -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints");
        assertThat(c.kind.audience().hasTags()).isTrue();
        assertThat(c.kind.audience().getTags().getAnyOfList()).containsExactly(FanOutKind.TAG_NAME);
    }

    @Test
    void parse_whenRatesNotRisingOrKindUnknown_thenUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> parse("--rates", "4,2")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--rates");
        assertThatThrownBy(() -> parse("--rates", "1,x")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--rates");
        assertThatThrownBy(() -> parse("--kind", "alias")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--kind");
    }
}
