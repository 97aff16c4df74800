package io.longlink.sdk.reconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void ceiling_whenAttemptsGrow_thenDoublesUntilCap() {
        Backoff backoff = new Backoff(100, 5_000, new Random(1));
        assertThat(backoff.ceilingMillis(0)).isEqualTo(100);
        assertThat(backoff.ceilingMillis(1)).isEqualTo(200);
        assertThat(backoff.ceilingMillis(5)).isEqualTo(3_200);
        assertThat(backoff.ceilingMillis(6)).isEqualTo(5_000);
        assertThat(backoff.ceilingMillis(62)).isEqualTo(5_000);
        assertThat(backoff.ceilingMillis(Integer.MAX_VALUE)).as("no overflow").isEqualTo(5_000);
    }

    @Test
    void nextDelay_whenSeededRandom_thenEveryDelayWithinFullJitterBounds() {
        Backoff backoff = new Backoff(100, 5_000, new Random(42));
        for (int attempt = 0; attempt < 40; attempt++) {
            long ceiling = backoff.ceilingMillis(attempt);
            long delay = backoff.nextDelayMillis();
            assertThat(delay).as("attempt %d", attempt).isBetween(0L, ceiling);
        }
    }

    @Test
    void nextDelay_whenManyDevicesAtSameAttempt_thenSpreadOverTheWholeWindow() {
        // Full jitter: delays of devices failing together cover [0, ceiling], not just its top.
        Random random = new Random(3);
        long ceiling = 1_600;
        long min = Long.MAX_VALUE;
        long max = 0;
        Set<Long> distinct = new HashSet<>();
        for (int device = 0; device < 1_000; device++) {
            Backoff backoff = new Backoff(100, 60_000, random);
            for (int i = 0; i < 4; i++) {
                backoff.nextDelayMillis();
            }
            long delay = backoff.nextDelayMillis();
            assertThat(delay).isBetween(0L, ceiling);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
            distinct.add(delay);
        }
        assertThat(min).isLessThan(ceiling / 10);
        assertThat(max).isGreaterThan(ceiling * 9 / 10);
        assertThat(distinct).hasSizeGreaterThan(500);
    }

    @Test
    void nextDelay_whenRandomAtExtremes_thenZeroAndExactlyTheCeiling() {
        Backoff low = new Backoff(100, 1_000, fixed(0.0));
        Backoff high = new Backoff(100, 1_000, fixed(Math.nextDown(1.0)));
        long[] expected = {100, 200, 400, 800, 1_000, 1_000};
        for (long ceiling : expected) {
            assertThat(low.nextDelayMillis()).isZero();
            assertThat(high.nextDelayMillis()).isEqualTo(ceiling);
        }
    }

    @Test
    void reset_whenCalledAfterFailures_thenStartsFromBaseAgain() {
        Backoff backoff = new Backoff(100, 10_000, fixed(Math.nextDown(1.0)));
        backoff.nextDelayMillis();
        backoff.nextDelayMillis();
        assertThat(backoff.nextDelayMillis()).isEqualTo(400);
        backoff.reset();
        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.nextDelayMillis()).isEqualTo(100);
    }

    @Test
    void jitter_whenBounded_thenWithinBounds() {
        Backoff backoff = new Backoff(100, 1_000, new Random(5));
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.jitterMillis(250)).isBetween(0L, 250L);
        }
        assertThat(backoff.jitterMillis(-5)).isZero();
        assertThat(backoff.attempts()).as("jitter is not a failed attempt").isZero();
    }

    @Test
    void constructor_whenCapBelowBase_thenClearError() {
        assertThatThrownBy(() -> new Backoff(1_000, 10, new Random()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capMillis: 10 (expected >= baseMillis 1000)");
        assertThatThrownBy(() -> new Backoff(0, 10, new Random()))
                .hasMessage("baseMillis: 0 (expected >= 1)");
    }

    private static Random fixed(double value) {
        return new Random() {
            private static final long serialVersionUID = 1L;

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }
}
