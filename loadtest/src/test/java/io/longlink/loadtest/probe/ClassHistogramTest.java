package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClassHistogramTest {
    private static final String BEFORE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         10000         800000  [B (java.base@25)
               2:          1000          48000  java.lang.String (java.base@25)
               3:             5            360  io.netty.channel.epoll.EpollSocketChannel
            Total         11005         848360
            """;
    private static final String AFTER = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         12000         900000  [B (java.base@25)
               2:          1005         136360  io.netty.channel.epoll.EpollSocketChannel
               3:          1000          48000  java.lang.String (java.base@25)
               4:          1000          72000  io.longlink.conn.session.Session
               5:             2             64  io.longlink.conn.session.Session
            Total         15007        1156424
            """;

    @Test
    void growthSince_whenConnectionsAdded_thenLargestGrowthFirstAndLoadersMerged() {
        var growth = ClassHistogram.parse(AFTER).growthSince(ClassHistogram.parse(BEFORE), 3);

        assertThat(growth).containsExactly(
                new ClassHistogram.Growth("io.netty.channel.epoll.EpollSocketChannel", 1_000, 136_000),
                new ClassHistogram.Growth("[B", 2_000, 100_000),
                new ClassHistogram.Growth("io.longlink.conn.session.Session", 1_002, 72_064));
    }

    @Test
    void parse_whenNoRows_thenErrorShowsTheText() {
        assertThatThrownBy(() -> ClassHistogram.parse("12345:\nCould not attach"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Could not attach");
    }

    @Test
    void growthByOrigin_whenNettyLonglinkAndArrays_thenGroupedByPackage() {
        var byOrigin = ClassHistogram.parse(AFTER).growthByOrigin(ClassHistogram.parse(BEFORE));

        assertThat(byOrigin).containsExactly(java.util.Map.entry("netty", 136_000L),
                java.util.Map.entry("longlink", 72_064L), java.util.Map.entry("jdk", 100_000L),
                java.util.Map.entry("other", 0L));
    }

    @Test
    void totalGrowth_whenClassesAddedAndGrown_thenDifferenceOfTotals() {
        assertThat(ClassHistogram.parse(AFTER).totalGrowth(ClassHistogram.parse(BEFORE)))
                .isEqualTo(1_156_424L - 848_360L);
    }
}
