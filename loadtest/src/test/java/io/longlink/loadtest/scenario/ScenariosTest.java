package io.longlink.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.idle.IdleConnectionsCommand;
import io.longlink.loadtest.unicast.UnicastCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScenariosTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Optional<Scenario> parse(String... args) throws UsageException {
        return Scenarios.parse(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private List<String> plan(String... args) throws UsageException {
        return parse(args).orElseThrow().plan().lines();
    }

    @Test
    void parse_whenOnlyTheScenario_thenItsCommandWithDefaults() throws Exception {
        assertThat(parse("idle-connections")).containsInstanceOf(IdleConnectionsCommand.class);
        assertThat(parse("unicast")).containsInstanceOf(UnicastCommand.class);
        assertThat(plan("idle-connections")).contains("time_cap_s=600",
                "conn_java_opts=-Xms1024m -Xmx1024m -XX:+UseSerialGC -XX:-UseCompactObjectHeaders");
    }

    @Test
    void parse_whenSpaceAndEqualsFormsUnderscoresAndUpperCase_thenAllRead() throws Exception {
        assertThat(plan("idle-connections", "--conn-heap-mb", "2_048", "--compact-headers=TRUE", "--time-cap-s=900"))
                .contains("time_cap_s=900",
                        "conn_java_opts=-Xms2048m -Xmx2048m -XX:+UseSerialGC -XX:+UseCompactObjectHeaders");
    }

    @Test
    void parse_whenTextValueStartsWithDash_thenTakenAsTheValue() throws Exception {
        assertThat(plan("unicast", "--node-jvm", "-Xmx1g,-XX:+UseSerialGC"))
                .contains("node_java_opts=-Xmx1g -XX:+UseSerialGC");
    }

    @Test
    void parse_whenValueOutOfRangeOrWrongType_thenErrorNamesOptionValueAndExpectation() {
        assertThatThrownBy(() -> parse("idle-connections", "--connections", "0")).isInstanceOf(UsageException.class)
                .hasMessage("--connections: '0' (expected: an integer from 1 to 1000000)");
        assertThatThrownBy(() -> parse("unicast", "--rate", "-5"))
                .hasMessage("--rate: '-5' (expected: an integer from 1 to 1000000)");
        assertThatThrownBy(() -> parse("unicast", "--rate", "fast"))
                .hasMessage("--rate: 'fast' (expected: an integer from 1 to 1000000)");
        assertThatThrownBy(() -> parse("idle-connections", "--compact-headers", "yes"))
                .hasMessage("--compact-headers: 'yes' (expected: true or false)");
        assertThatThrownBy(() -> parse("idle-connections", "--connections-metric", " "))
                .hasMessage("--connections-metric: ' ' (expected: a non-empty value)");
    }

    @Test
    void parse_whenUnknownOption_thenErrorListsTheKnownOnes() {
        assertThatThrownBy(() -> parse("idle-connections", "--conections", "5")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("unknown option '--conections' for scenario idle-connections (expected:"
                        + " --connections, --transport, --compact-headers, --conn-heap-mb,")
                .hasMessageEndingWith(", --connections-metric, --help, --use-running, --port-base)");
        assertThatThrownBy(() -> parse("unicast", "--speed=9")).hasMessageStartingWith("unknown option '--speed' for");
    }

    @Test
    void parse_whenValueMissingRepeatedOrBareWord_thenError() {
        assertThatThrownBy(() -> parse("idle-connections", "--connections"))
                .hasMessage("--connections: missing value (expected: an integer from 1 to 1000000)");
        assertThatThrownBy(() -> parse("unicast", "--rate", "1", "--rate=2")).hasMessage("--rate: given twice");
        assertThatThrownBy(() -> parse("idle-connections", "19000"))
                .hasMessage("unexpected argument '19000' (expected: --option value)");
    }

    @Test
    void parse_whenScenarioUnknownOrMissing_thenErrorNamesTheScenarios() {
        assertThatThrownBy(() -> parse("idle-conections"))
                .hasMessage("unknown scenario 'idle-conections' (expected: idle-connections, unicast, chaos, abuse,"
                        + " mqtt-fanout, sharded, broadcast; ops/bench --list)");
        assertThatThrownBy(this::parse).hasMessage("missing scenario (expected: one of idle-connections, unicast, chaos,"
                + " abuse, mqtt-fanout, sharded, broadcast)");
    }

    @Test
    void parse_whenHelp_thenNoScenarioAndHelpWithRangesAndDefaults() throws Exception {
        assertThat(parse("unicast", "--rate", "5", "--help")).isEmpty();

        // help lines wrap at 100 columns
        String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertThat(help).startsWith("Usage: ops/bench unicast [OPTIONS]")
                .contains("--rate=N", "pushes per second offered (open model) (1..1000000, default 10000)")
                .contains("--receipts=true|false", "(default true)")
                .contains("(default '-Xms512m,-Xmx512m,-XX:+UseSerialGC')")
                .contains("--use-running", "--port-base=N");
    }

    @Test
    void list_whenCalled_thenEveryScenarioWithItsOptionsInDeclaredOrder() {
        Scenarios.list(new PrintStream(out, true, StandardCharsets.UTF_8));

        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("Usage: ops/bench idle-connections", "Usage: ops/bench unicast");
        assertThat(text.indexOf("--connections=N")).isLessThan(text.indexOf("--compact-headers="))
                .isLessThan(text.indexOf("--connections-metric="));
    }
}
