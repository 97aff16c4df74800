package io.longlink.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultLineTest {
    @Test
    void format_whenMixedValues_thenPrefixAndPairsInInsertionOrder() {
        String line = new ResultLine()
                .put("scenario", "idle-connections")
                .put("connections", 19_000)
                .put("heap_bytes_per_conn", 1_612.4999, 0)
                .put("connect_p99_ms", 12.345, 1)
                .put("compact_headers", true)
                .format();

        assertThat(line).isEqualTo("RESULT scenario=idle-connections connections=19000 heap_bytes_per_conn=1612"
                + " connect_p99_ms=12.3 compact_headers=true");
    }

    @Test
    void put_whenDoubleIsLarge_thenPlainDigitsNotExponent() {
        assertThat(new ResultLine().put("bytes", 1.5e10, 0).format()).isEqualTo("RESULT bytes=15000000000");
    }

    @Test
    void put_whenHalfway_thenRoundsUp() {
        assertThat(new ResultLine().put("x", 2.5, 0).get("x")).isEqualTo("3");
    }

    @Test
    void put_whenValueHasBlanksQuotesOrEquals_thenReplacedSoTheLineStillSplits() {
        ResultLine r = new ResultLine().put("error", " 3 of 10 connects failed: {a=1} \"x\" ");

        assertThat(r.get("error")).isEqualTo("3_of_10_connects_failed:_{a_1}_x_");
        assertThat(ResultLine.parse(r.format())).containsEntry("error", "3_of_10_connects_failed:_{a_1}_x_");
    }

    @Test
    void put_whenValueEmptyOrNaN_thenPlaceholder() {
        ResultLine r = new ResultLine().put("a", "  ").put("b", Double.NaN, 2);

        assertThat(r.format()).isEqualTo("RESULT a=- b=nan");
    }

    @Test
    void put_whenKeyNotLowerCaseIdentifier_thenRejected() {
        assertThatThrownBy(() -> new ResultLine().put("Heap Bytes", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Heap Bytes");
        assertThatThrownBy(() -> new ResultLine().put("a=b", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void put_whenKeyRepeated_thenRejected() {
        ResultLine r = new ResultLine().put("connections", 1);

        assertThatThrownBy(() -> r.put("connections", 2)).hasMessageContaining("each key once");
    }

    @Test
    void parse_whenFormatted_thenSamePairs() {
        ResultLine r = new ResultLine().put("scenario", "idle-connections").put("rss_bytes_per_conn", 3_900)
                .put("conn_jvm", "-Xms1g,-Xmx1g,-XX:+UseSerialGC");

        assertThat(ResultLine.parse(r.format())).containsExactly(Map.entry("scenario", "idle-connections"),
                Map.entry("rss_bytes_per_conn", "3900"), Map.entry("conn_jvm", "-Xms1g,-Xmx1g,-XX:+UseSerialGC"));
    }

    @Test
    void parse_whenNotAResultLine_thenRejected() {
        assertThatThrownBy(() -> ResultLine.parse("12:00:01 stopped redis"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResultLine.parse("RESULT novalue")).hasMessageContaining("novalue");
    }
}
