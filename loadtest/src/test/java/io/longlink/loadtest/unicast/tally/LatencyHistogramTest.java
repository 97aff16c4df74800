package io.longlink.loadtest.unicast.tally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    /** {@code h}'s answers at {@code qs}, in that order. */
    private static List<Long> quantiles(LatencyHistogram h, double... qs) {
        return Arrays.stream(qs).mapToObj(h::quantile).toList();
    }

    @Test
    void quantile_whenHundredValues_thenNearestRank() {
        LatencyHistogram h = new LatencyHistogram(1_000);
        for (int ms = 1; ms <= 100; ms++) {
            h.record(ms);
        }

        assertThat(h.count()).isEqualTo(100);
        assertThat(quantiles(h, 0.50, 0.99, 1.0, 0.0)).containsExactly(50L, 99L, 100L, 1L);
        assertThat(h.max()).isEqualTo(100);
    }

    @Test
    void quantile_whenTailAboveHighestTrackable_thenAnswersMaxAndCountsOverflow() {
        LatencyHistogram h = new LatencyHistogram(100);
        for (int i = 0; i < 98; i++) {
            h.record(5);
        }
        h.record(5_000);
        h.record(7_000);

        assertThat(h.overflow()).isEqualTo(2);
        assertThat(quantiles(h, 0.98, 0.99)).containsExactly(5L, 7_000L);
        assertThat(h.max()).isEqualTo(7_000);
    }

    @Test
    void record_whenNegative_thenCountedAsZeroAndReported() {
        LatencyHistogram h = new LatencyHistogram(10);
        h.record(-1);
        h.record(3);

        assertThat(h.negative()).isEqualTo(1);
        assertThat(quantiles(h, 0.5, 1.0)).containsExactly(0L, 3L);
    }

    @Test
    void quantile_whenEmpty_thenMinusOne() {
        assertThat(new LatencyHistogram(10).quantile(0.99)).isEqualTo(-1);
    }

    @Test
    void add_whenTwoLoops_thenSameAsOneHistogramOfAllValues() {
        LatencyHistogram a = new LatencyHistogram(200);
        LatencyHistogram b = new LatencyHistogram(200);
        LatencyHistogram all = new LatencyHistogram(200);
        for (int i = 0; i < 1_000; i++) {
            long v = (i * 37L) % 250;
            (i % 3 == 0 ? a : b).record(v);
            all.record(v);
        }

        a.add(b);

        assertThat(a.count()).isEqualTo(all.count());
        assertThat(a.overflow()).isEqualTo(all.overflow());
        for (double q : new double[] {0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
            assertThat(a.quantile(q)).as("q=%s", q).isEqualTo(all.quantile(q));
        }
    }

    @Test
    void quantile_whenSecondsLong_thenWithinThreeSignificantDigitsAndNeverAboveMax() {
        LatencyHistogram h = new LatencyHistogram(600_000);
        h.record(1_999);
        h.record(19_682);

        assertThat(h.quantile(0.5)).isEqualTo(1_999);
        assertThat(h.quantile(0.99)).isBetween(19_682L * 999 / 1_000, 19_682L);
        assertThat(h.max()).isEqualTo(19_682);
        assertThat(h.overflow()).isZero();
    }

    @Test
    void record_whenWarm_thenAllocatesNothing() {
        LatencyHistogram h = new LatencyHistogram(600_000);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 10_000; i++) {
            h.record(i % 5_000);
        }

        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++) {
            h.record((i * 7L) % 700_000 - 10);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).isLessThan(1_024);
        assertThat(h.count()).isEqualTo(1_010_000);
    }

    @Test
    void add_whenHighestTrackableDiffers_thenRefused() {
        assertThatThrownBy(() -> new LatencyHistogram(10).add(new LatencyHistogram(20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("highest 20 ms");
    }

    @Test
    void quantile_whenOutOfRange_thenRefused() {
        assertThatThrownBy(() -> new LatencyHistogram(10).quantile(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("q: 1.5");
    }
}
