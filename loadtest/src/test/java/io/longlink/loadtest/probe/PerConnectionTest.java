package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PerConnectionTest {
    private static ClassHistogram histogram(long bytes) {
        return ClassHistogram.parse("""
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          1000  %d  [B (java.base@25)
                Total          1000  %d
                """.formatted(bytes, bytes));
    }

    @Test
    void between_thenLiveHeapRssAndRssOutsideTheHeapPerConnection_memoryTheHeapPlusOutside() {
        // 1,000 connections: live heap +1.6 MB, RSS +2.4 MB of which heap pages +2.3 MB (touched, not live)
        NodeProbe.Snapshot before = new NodeProbe.Snapshot(0, 0, 100_000_000, 60_000_000, 0, 0, histogram(800_000));
        NodeProbe.Snapshot after = new NodeProbe.Snapshot(0, 0, 102_400_000, 62_300_000, 0, 0,
                histogram(2_400_000));

        PerConnection cost = PerConnection.between(before, after, 1_000);

        assertThat(cost).isEqualTo(new PerConnection(1_600, 2_400, 100, 1_700));
    }

    @Test
    void max_thenTheWorstOfEachFigure() {
        assertThat(new PerConnection(1_600, 2_400, 100, 1_700).max(new PerConnection(1_650, 1_500, -300, 1_350)))
                .isEqualTo(new PerConnection(1_650, 2_400, 100, 1_700));
    }

    @Test
    void between_whenNoConnections_thenRejected() {
        NodeProbe.Snapshot s = new NodeProbe.Snapshot(0, 0, 0, 0, 0, 0, histogram(1));
        assertThatThrownBy(() -> PerConnection.between(s, s, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connections: 0");
    }
}
