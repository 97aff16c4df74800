package io.longlink.loadtest.unicast.tally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeliveryTallyTest {
    private static final long EPOCH = 1_000_000L;
    private static final long SPAN = 60_000L;
    private final AtomicLong now = new AtomicLong(EPOCH);

    private DeliveryRecorder recorder() {
        return new DeliveryRecorder(now::get, EPOCH, SPAN, 1_000);
    }

    private DeliveryTally tally(DeliveryRecorder... recorders) {
        DeliveryTally t = new DeliveryTally(EPOCH, SPAN);
        for (DeliveryRecorder r : recorders) {
            t.add(r);
        }
        return t;
    }

    @Test
    void report_whenEveryAcceptedIdReceived_thenNoneLostAndLatencyFromSentAt() {
        DeliveryRecorder a = recorder();
        DeliveryRecorder b = recorder();
        now.set(EPOCH + 5_000);
        a.onPush(1, EPOCH + 4_990, PushPhase.MEASURED); // 10 ms
        b.onPush(2, EPOCH + 4_980, PushPhase.MEASURED); // 20 ms
        a.onPush(3, EPOCH + 4_900, PushPhase.MEASURED); // 100 ms

        DeliveryTally.Report r = tally(a, b).report(new long[] {3, 1, 2}, 3, EPOCH, EPOCH + 10_000);

        assertThat(r.lost()).isZero();
        assertThat(r.unexpected()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.measuredCount()).isEqualTo(3);
        assertThat(r.p50Ms()).isEqualTo(20);
        assertThat(r.p99Ms()).isEqualTo(100);
        assertThat(r.maxMs()).isEqualTo(100);
    }

    @Test
    void maxLatencyPerSecond_whenStallInOneSecond_thenOnlyThatSecondShowsIt() {
        DeliveryRecorder a = recorder();
        DeliveryRecorder b = recorder();
        now.set(EPOCH + 500);
        a.onPush(1, EPOCH + 480, PushPhase.WARMUP); // 20 ms, second 0
        now.set(EPOCH + 1_900);
        b.onPush(2, EPOCH + 1_200, PushPhase.MEASURED); // 700 ms, second 1
        now.set(EPOCH + 1_950);
        a.onPush(3, EPOCH + 1_940, PushPhase.MEASURED); // 10 ms, second 1
        now.set(EPOCH + 2_100);
        a.onPush(4, EPOCH + 2_070, PushPhase.MEASURED); // 30 ms, second 2

        assertThat(tally(a, b).maxLatencyPerSecond(EPOCH, EPOCH + 4_000)).containsExactly(20, 700, 30, 0);
        assertThat(tally(a, b).maxLatencyPerSecond(EPOCH + 1_000, EPOCH + 2_000)).containsExactly(700);
    }

    @Test
    void report_whenAcceptedIdNeverArrives_thenLostWithExample() {
        DeliveryRecorder a = recorder();
        a.onPush(10, EPOCH, PushPhase.MEASURED);
        a.onPush(30, EPOCH, PushPhase.MEASURED);

        DeliveryTally.Report r = tally(a).report(new long[] {10, 20, 30}, 3, EPOCH, EPOCH + 1_000);

        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.lostIds()).containsExactly(20L);
    }

    @Test
    void report_whenRedelivered_thenDuplicateNotLostAndUnacceptedIdIsUnexpected() {
        DeliveryRecorder a = recorder();
        a.onPush(7, EPOCH, PushPhase.MEASURED);
        a.onPush(7, EPOCH, PushPhase.MEASURED);
        a.onPush(8, EPOCH, PushPhase.MEASURED);

        DeliveryTally.Report r = tally(a).report(new long[] {7}, 1, EPOCH, EPOCH + 1_000);

        assertThat(r.received()).isEqualTo(3);
        assertThat(r.distinct()).isEqualTo(2);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.lost()).isZero();
        assertThat(r.unexpected()).isEqualTo(1);
    }

    @Test
    void report_whenWarmupPushes_thenOutOfMeasuredLatencyButStillCheckedForLoss() {
        DeliveryRecorder a = recorder();
        now.set(EPOCH + 2_000);
        a.onPush(1, EPOCH, PushPhase.WARMUP); // 2,000 ms: warm-up only
        a.onPush(2, EPOCH + 1_995, PushPhase.MEASURED); // 5 ms

        DeliveryTally.Report r = tally(a).report(new long[] {1, 2, 3}, 3, EPOCH, EPOCH + 10_000);

        assertThat(r.measuredCount()).isEqualTo(1);
        assertThat(r.p99Ms()).isEqualTo(5);
        assertThat(r.warmupCount()).isEqualTo(1);
        assertThat(r.warmupP99Ms()).isEqualTo(2_000);
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.lostIds()).containsExactly(3L);
    }

    @Test
    void report_whenAcksInsideAndOutsideWindow_thenRateCountsWholeBucketsInside() {
        DeliveryRecorder a = recorder();
        // window [EPOCH + 1,000, EPOCH + 3,000): 2 s
        now.set(EPOCH + 999);
        a.onPush(1, EPOCH, PushPhase.MEASURED); // before
        for (int i = 0; i < 100; i++) {
            now.set(EPOCH + 1_000 + i * 19L); // 1,000 .. 2,881
            a.onPush(100 + i, now.get(), PushPhase.MEASURED);
        }
        now.set(EPOCH + 3_000);
        a.onPush(2, EPOCH, PushPhase.MEASURED); // at the end: outside

        DeliveryTally.Report r = tally(a).report(new long[] {1}, 1, EPOCH + 1_000, EPOCH + 3_000);

        assertThat(r.windowAcks()).isEqualTo(100);
        assertThat(r.windowSeconds()).isEqualTo(2.0);
        assertThat(r.ackedPerSecond()).isEqualTo(50.0);
    }

    @Test
    void report_whenWindowEdgesInsideBuckets_thenPartialBucketsLeftOut() {
        DeliveryRecorder a = recorder();
        now.set(EPOCH + 1_050); // bucket 10, which the window only half covers
        a.onPush(1, EPOCH, PushPhase.MEASURED);
        now.set(EPOCH + 1_150); // bucket 11, inside
        a.onPush(2, EPOCH, PushPhase.MEASURED);

        DeliveryTally.Report r = tally(a).report(new long[] {1, 2}, 2, EPOCH + 1_050, EPOCH + 1_250);

        assertThat(r.windowAcks()).isEqualTo(1);
        assertThat(r.windowSeconds()).isEqualTo(0.1);
    }

    @Test
    void onPush_whenPayloadHasNoPhase_thenCountedAsUnknownNotMeasured() {
        DeliveryRecorder a = recorder();
        a.onPush(1, EPOCH, -1);
        a.onPush(2, EPOCH, 'x');

        DeliveryTally.Report r = tally(a).report(new long[] {1, 2}, 2, EPOCH, EPOCH + 1_000);

        assertThat(r.unknownPhase()).isEqualTo(2);
        assertThat(r.measuredCount()).isZero();
        assertThat(r.p99Ms()).isEqualTo(-1);
        assertThat(r.lost()).isZero();
    }

    @Test
    void onPush_whenMoreIdsThanCapacity_thenRefusedCountedAndReportedAsLost() {
        DeliveryRecorder small = new DeliveryRecorder(now::get, EPOCH, SPAN, 2);
        small.onPush(1, EPOCH, PushPhase.MEASURED);
        small.onPush(2, EPOCH, PushPhase.MEASURED);
        small.onPush(3, EPOCH, PushPhase.MEASURED);
        DeliveryTally t = new DeliveryTally(EPOCH, SPAN);
        t.add(small);

        DeliveryTally.Report r = t.report(new long[] {1, 2, 3}, 3, EPOCH, EPOCH + 1_000);

        // a refused id is never silently counted as received
        assertThat(r.refused()).isEqualTo(1);
        assertThat(r.lost()).isEqualTo(1);
    }

    @Test
    void add_whenRecorderOfAnotherEpoch_thenRefused() {
        DeliveryRecorder other = new DeliveryRecorder(now::get, EPOCH + 1, SPAN, 10);

        assertThatThrownBy(() -> tally(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoch");
    }

    @Test
    void report_whenWindowEmpty_thenRefused() {
        assertThatThrownBy(() -> tally().report(new long[0], 0, EPOCH + 10, EPOCH + 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("end after start");
    }
}
