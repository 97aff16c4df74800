package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String SAMPLE = """
            # HELP jvm_memory_bytes_used Used bytes of a given JVM memory area.
            # TYPE jvm_memory_bytes_used gauge
            jvm_memory_bytes_used{area="heap",} 3.1457280E7
            jvm_memory_bytes_used{area="nonheap",} 4.5E7
            # TYPE longlink_conn_connections gauge
            longlink_conn_connections 19000.0
            jvm_gc_collection_seconds_count{gc="Copy",} 12.0
            jvm_gc_collection_seconds_count{gc="MarkSweepCompact",} 3.0
            odd_label{msg="a \\"quoted\\", b",x="1"} 1 1700000000000
            """;

    @Test
    void value_whenLabelsMatch_thenThatSample() {
        PrometheusText m = PrometheusText.parse(SAMPLE);

        assertThat(m.value("jvm_memory_bytes_used", "area", "heap")).hasValue(31_457_280);
        assertThat(m.value("jvm_memory_bytes_used", "area", "nonheap")).hasValue(45_000_000);
        assertThat(m.value("longlink_conn_connections")).hasValue(19_000);
    }

    @Test
    void value_whenNameOrLabelAbsent_thenEmpty() {
        PrometheusText m = PrometheusText.parse(SAMPLE);

        assertThat(m.value("nope")).isEmpty();
        assertThat(m.value("jvm_memory_bytes_used", "area", "stack")).isEmpty();
    }

    @Test
    void sum_whenSeveralLabelSets_thenTotal() {
        assertThat(PrometheusText.parse(SAMPLE).sum("jvm_gc_collection_seconds_count")).hasValue(15);
    }

    @Test
    void parse_whenEscapedQuoteAndTimestamp_thenLabelUnescapedAndValueRead() {
        PrometheusText m = PrometheusText.parse(SAMPLE);

        assertThat(m.value("odd_label", "msg", "a \"quoted\", b", "x", "1")).hasValue(1);
    }

    @Test
    void parse_whenLineBroken_thenLineNumberInError() {
        assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{a=\"x\" 2\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
    }
}
