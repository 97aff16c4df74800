package io.longlink.router.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouterLagTest {
    private final AtomicLong now = new AtomicLong(100_000);
    private final RouterLag lag = new RouterLag(now::get, 1_000);

    @Test
    void behind_whenNoRoundEverRan_thenZero() {
        now.addAndGet(5_000);
        assertThat(lag.behindMs()).isZero();
    }

    @Test
    void behind_whileARoundIsInProgress_thenTheAgeOfItsOldestPushGrowing() {
        lag.roundStarted(now.get() - 300);
        assertThat(lag.behindMs()).isEqualTo(300);
        now.addAndGet(2_000);
        assertThat(lag.behindMs()).isEqualTo(2_300);
    }

    @Test
    void behind_afterARoundEnded_thenItsLatenessForOneToTwoWindowsThenZero() {
        lag.roundStarted(now.get() - 200);
        now.addAndGet(500);
        lag.roundEnded();
        assertThat(lag.behindMs()).isEqualTo(700);
        now.addAndGet(1_000); // the next window: still remembered
        assertThat(lag.behindMs()).isEqualTo(700);
        now.addAndGet(1_000);
        assertThat(lag.behindMs()).isZero();
    }

    @Test
    void behind_whenSeveralRoundsEnded_thenTheWorstOfThem() {
        for (long late : new long[] {50, 900, 120}) {
            lag.roundStarted(now.get() - late);
            lag.roundEnded();
        }
        assertThat(lag.behindMs()).isEqualTo(900);
    }

    @Test
    void behind_whenTheRouterWasIdleLongerThanTwoWindows_thenAnOldRoundIsForgottenAtOnce() {
        lag.roundStarted(now.get() - 800);
        lag.roundEnded();
        now.addAndGet(5_000);
        assertThat(lag.behindMs()).isZero();
    }

    @Test
    void behind_whenThePushesClockIsAheadOrUnknown_thenNeverNegative() {
        lag.roundStarted(now.get() + 5_000);
        assertThat(lag.behindMs()).isZero();
        lag.roundEnded();
        assertThat(lag.behindMs()).isZero();
        lag.roundStarted(0); // no sent_at_ms: not counted
        now.addAndGet(3_000);
        assertThat(lag.behindMs()).isZero();
    }

    @Test
    void window_whenNotPositive_thenRefused() {
        assertThatThrownBy(() -> new RouterLag(now::get, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowMs");
    }
}
