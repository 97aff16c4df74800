package io.longlink.loadtest.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private static final List<OptionSpec> SPECS = List.of(
            OptionSpec.integer("connections", 19_000, 1, 1_000_000, "devices"),
            OptionSpec.bool("compact-headers", false, "flag"),
            OptionSpec.choice("mode", "a", List.of("a", "b"), "mode"));

    @Test
    void parse_whenNothingGiven_thenDefaultsAndNotGiven() throws Exception {
        Options o = Options.parse("s", SPECS, List.of());

        assertThat(o.integer("connections")).isEqualTo(19_000);
        assertThat(o.bool("compact-headers")).isFalse();
        assertThat(o.given("connections")).isFalse();
    }

    @Test
    void parse_whenSpaceAndEqualsForms_thenBothRead() throws Exception {
        Options o = Options.parse("s", SPECS, List.of("--connections", "1_000", "--compact-headers=TRUE", "--mode", "b"));

        assertThat(o.integer("connections")).isEqualTo(1_000);
        assertThat(o.bool("compact-headers")).isTrue();
        assertThat(o.text("mode")).isEqualTo("b");
        assertThat(o.given("connections")).isTrue();
    }

    @Test
    void parse_whenUnknownOption_thenErrorListsTheKnownOnes() {
        assertThatThrownBy(() -> Options.parse("idle-connections", SPECS, List.of("--conections", "5")))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown option '--conections' for scenario idle-connections (expected: --connections,"
                        + " --compact-headers, --mode)");
    }

    @Test
    void parse_whenValueOutOfRangeOrWrongType_thenErrorNamesOptionValueAndExpectation() {
        assertThatThrownBy(() -> Options.parse("s", SPECS, List.of("--connections", "0")))
                .hasMessage("--connections: '0' (expected: an integer from 1 to 1000000)");
        assertThatThrownBy(() -> Options.parse("s", SPECS, List.of("--compact-headers", "yes")))
                .hasMessage("--compact-headers: 'yes' (expected: true or false)");
        assertThatThrownBy(() -> Options.parse("s", SPECS, List.of("--mode", "c")))
                .hasMessage("--mode: 'c' (expected: one of a, b)");
    }

    @Test
    void parse_whenValueMissingRepeatedOrBareWord_thenError() {
        assertThatThrownBy(() -> Options.parse("s", SPECS, List.of("--connections")))
                .hasMessageStartingWith("--connections: missing value");
        assertThatThrownBy(() -> Options.parse("s", SPECS, List.of("--mode", "a", "--mode", "b")))
                .hasMessage("--mode: given twice");
        assertThatThrownBy(() -> Options.parse("s", SPECS, List.of("19000")))
                .hasMessageContaining("unexpected argument '19000'");
    }
}
