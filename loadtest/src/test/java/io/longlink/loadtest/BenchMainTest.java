package io.longlink.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BenchMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    @Test
    void run_whenList_thenScenarioAndOptionsShown() {
        assertThat(BenchMain.run(new String[] {"list"})).isEqualTo(BenchMain.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("idle-connections").contains("--connections=N")
                .contains("unicast").contains("--rate=N");
    }

    @Test
    void run_whenUnknownScenario_thenUsageExitAndKnownNames() {
        assertThat(BenchMain.run(new String[] {"plan", "idle-conections"})).isEqualTo(BenchMain.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("unknown scenario 'idle-conections' (expected: idle-connections");
    }

    @Test
    void run_whenUnknownOption_thenUsageExit() {
        assertThat(BenchMain.run(new String[] {"plan", "idle-connections", "--speed", "9"}))
                .isEqualTo(BenchMain.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--speed'");
    }

    @Test
    void run_whenValueOutOfRange_thenUsageExitNamingOptionAndRange() {
        assertThat(BenchMain.run(new String[] {"plan", "unicast", "--rate", "-5"})).isEqualTo(BenchMain.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("error: --rate: '-5' (expected: an integer from 1 to 1000000)" + System.lineSeparator());
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void run_whenPlanWithHelp_thenHelpAndNoPlanLines() {
        assertThat(BenchMain.run(new String[] {"plan", "idle-connections", "--help"})).isEqualTo(BenchMain.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ops/bench idle-connections")
                .doesNotContain("processes=");
    }

    @Test
    void run_whenRunWithoutStack_thenUsageExitNamingTheProperty() {
        System.clearProperty("longlink.bench.redis");
        assertThat(BenchMain.run(new String[] {"run", "idle-connections"})).isEqualTo(BenchMain.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("longlink.bench.redis: not set");
    }

    @Test
    void run_whenPlan_thenKeyValueLines() {
        assertThat(BenchMain.run(new String[] {"plan", "idle-connections", "--connections", "100"}))
                .isEqualTo(BenchMain.OK);
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .allMatch(l -> l.matches("[a-z_]+=.*"))
                .contains("conn_setting=conn.receipts.enabled=false");
    }
}
