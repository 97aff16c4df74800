package io.longlink.loadtest.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConnectBatchTest {
    private static final long MS = 1_000_000;

    private static ConnectBatch batch(int size) {
        return new ConnectBatch(new byte[size][], 0, Duration.ofSeconds(30));
    }

    @Test
    void latencyMicros_whenConnectsEndOnSeveralLoops_thenNearestRankToThreeDigits() throws Exception {
        ConnectBatch b = batch(100);
        // devices i = 0..99 take i + 1 ms, reported from four threads as four event loops would
        CompletableFuture<?>[] loops = IntStream.range(0, 4).mapToObj(loop -> CompletableFuture.runAsync(() -> {
            for (int i = loop; i < 100; i += 4) {
                b.onConnected(new DeviceSession(b, i, 0, 30_000 * MS), (i + 1) * MS);
            }
        })).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(loops).get(10, TimeUnit.SECONDS);

        assertThat(b.done()).isDone();
        assertThat(b.connected()).isEqualTo(100);
        // 3 significant digits: a value is reported as the top of its bucket, at most 0.1% off
        assertThat(b.latencyMicros(0.50)).isCloseTo(50_000L, withinPercentage(0.1));
        assertThat(b.latencyMicros(0.99)).isCloseTo(99_000L, withinPercentage(0.1));
        assertThat(b.latencyMicros(1.0)).isCloseTo(100_000L, withinPercentage(0.1));
    }

    @Test
    void latencyMicros_whenConnackLaterThanTheDeadline_thenCountsAsTheDeadline() {
        ConnectBatch b = batch(1);
        b.onConnected(new DeviceSession(b, 0, 0, 30_000 * MS), 31_000 * MS);

        assertThat(b.latencyMicros(1.0)).isCloseTo(30_000_000L, withinPercentage(0.1));
    }

    @Test
    void failures_whenReasonsRepeat_thenCountedBySortedReason() {
        ConnectBatch b = batch(3);
        b.onFailed("connack_timeout");
        b.onFailed("connect_refused");
        b.onFailed("connack_timeout");

        assertThat(b.failures()).containsExactly(Map.entry("connack_timeout", 2L), Map.entry("connect_refused", 1L));
        assertThat(b.done()).isDone();
        assertThat(b.latencyMicros(0.99)).isZero();
    }
}
