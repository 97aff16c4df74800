package io.longlink.loadtest.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecoveryWindowsTest {
    private static final long EPOCH = 1_800_000_000_000L;

    /** A message id whose timestamp is {@code ms} (as the api-node makes them). */
    private static long id(long ms, int seq) {
        return (ms - 1_704_067_200_000L) << 22 | seq;
    }

    private static void second(RecoveryWindows w, int s, int offered, int timely) {
        long ms = EPOCH + s * 1000L + 10;
        for (int i = 0; i < offered; i++) {
            w.offered(id(ms, i), 1);
            if (i < timely) {
                w.shown(id(ms, i), ms + 100);
            }
        }
    }

    @Test
    void recoveredAt_whenFiveHealthySecondsFollowAnOutage_thenTheStartOfTheFirst() {
        RecoveryWindows w = new RecoveryWindows(EPOCH, 60, 3_000);
        for (int s = 0; s < 20; s++) {
            boolean down = s >= 3 && s < 8;
            second(w, s, 10, down ? 2 : 10);
        }

        long injected = EPOCH + 3_200;
        assertThat(w.recoveredAt(injected, EPOCH + 30_000)).isEqualTo(EPOCH + 8_000);
    }

    @Test
    void recoveredAt_whenSecondsNotYetJudged_thenNotYet() {
        RecoveryWindows w = new RecoveryWindows(EPOCH, 60, 3_000);
        for (int s = 0; s < 10; s++) {
            second(w, s, 10, 10);
        }

        // at 7.5 s only seconds 0..3 are final (timely window of 3 s): no run of five yet
        assertThat(w.recoveredAt(EPOCH, EPOCH + 7_500)).isEqualTo(-1);
        assertThat(w.recoveredAt(EPOCH, EPOCH + 8_000)).isEqualTo(EPOCH);
    }

    @Test
    void healthy_whenNothingOfferedOrLateCopies_thenNot() {
        RecoveryWindows w = new RecoveryWindows(EPOCH, 60, 1_000);
        w.offered(id(EPOCH + 1_010, 1), 10);
        for (int i = 0; i < 10; i++) {
            w.shown(id(EPOCH + 1_010, 1), EPOCH + 5_000);
        }

        assertThat(w.healthy(0)).isFalse();
        assertThat(w.healthy(1)).isFalse();
    }
}
