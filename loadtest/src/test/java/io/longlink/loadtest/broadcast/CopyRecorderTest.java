package io.longlink.loadtest.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class CopyRecorderTest {
    private static final long NOW = 1_000_000;

    @Test
    void onPush_whenOneDeviceGetsAMessageTwice_thenOneDeliveryAndOneRepeat() {
        CopyRecorder loop = new CopyRecorder(1, () -> NOW);
        loop.onPush(7, 42L, NOW - 30, 1);
        loop.onPush(7, 42L, NOW - 30, 1);
        loop.onPush(8, 42L, NOW - 50, 1);

        CopyTally t = tally(loop);

        assertThat(t.message(42L)).isEqualTo(new CopyTally.Message(2, 1, 1));
        assertThat(t.latencyMs(1).getTotalCount()).isEqualTo(2);
        assertThat(t.latencyMs(1).getMaxValue()).isEqualTo(50);
        assertThat(t.lastMs(1)).isEqualTo(NOW);
    }

    @Test
    void add_whenDevicesOnTwoLoops_thenTheirCopiesAddUp() {
        CopyRecorder a = new CopyRecorder(1, () -> NOW);
        CopyRecorder b = new CopyRecorder(1, () -> NOW);
        a.onPush(0, 5L, NOW, 0);
        b.onPush(1, 5L, NOW, 0);
        b.onPush(1, 6L, NOW, 9);

        CopyTally t = tally(a, b);

        assertThat(t.message(5L).devices()).isEqualTo(2);
        assertThat(t.message(6L).devices()).isZero();
        assertThat(t.unmarked()).isEqualTo(1);
    }

    @Test
    void figures_whenADeviceMissedAMessage_thenLostOneAndRateOverTheStep() {
        CopyRecorder loop = new CopyRecorder(1, () -> NOW);
        for (int d = 0; d < 3; d++) {
            loop.onPush(d, 1L, NOW - 10, 1);
        }
        loop.onPush(0, 2L, NOW - 10, 1);
        ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>(List.of(1L, 2L));
        FanOutCalls.Step step = new FanOutCalls.Step(1, 2, NOW - 2_000, NOW - 1_000, accepted);

        BroadcastReport.StepFigures f = BroadcastReport.figures(1, new BroadcastReport.StepRun(step,
                Map.of("conn-1", 40.0, "redis", 5.0)), tally(loop), 3, 1);

        assertThat(f.accepted()).isEqualTo(2);
        assertThat(f.delivered()).isEqualTo(4);
        assertThat(f.lost()).isEqualTo(2);
        assertThat(f.sustained()).isFalse();
        // the last copy came 2 s after the step began: 4 copies over 2 s
        assertThat(f.deliveriesPerS()).isEqualTo(2.0);
        assertThat(f.connCpu()).isEqualTo(40.0);
    }

    private static CopyTally tally(CopyRecorder... loops) {
        CopyTally t = CopyTally.empty(1);
        for (CopyRecorder l : loops) {
            l.addTo(t);
        }
        return t;
    }
}
