package io.longlink.common.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateBucketTest {
    private static final long INTERVAL = 100; // 10 tokens a "second" of 1,000 ns
    private static final long DEPTH = 1_000;  // holds 10 tokens

    @Test
    void take_whenBurstSpent_thenRefusedWithTheWaitUntilTheNextToken() {
        RateBucket b = new RateBucket(0);
        for (int i = 0; i < 10; i++) {
            assertThat(b.take(0, INTERVAL, DEPTH)).isZero();
        }
        assertThat(b.take(0, INTERVAL, DEPTH)).isEqualTo(INTERVAL);
        assertThat(b.take(INTERVAL, INTERVAL, DEPTH)).as("one token came back").isZero();
    }

    @Test
    void owe_whenMoreThanTheBurst_thenRefusedUntilPaidBack() {
        RateBucket b = new RateBucket(0);
        b.owe(0, 3_000, 60_000);
        assertThat(b.untilFull(0)).isEqualTo(3_000);
        assertThat(b.take(0, INTERVAL, DEPTH)).isEqualTo(2_100);
        assertThat(b.take(2_099, INTERVAL, DEPTH)).isPositive();
        assertThat(b.take(2_100, INTERVAL, DEPTH)).isZero();
    }

    @Test
    void owe_whenOwingTheMostAlready_thenCapped() {
        RateBucket b = new RateBucket(0);
        for (int i = 0; i < 100; i++) {
            b.owe(0, 3_000, 60_000);
        }
        assertThat(b.untilFull(0)).isEqualTo(60_000);
        assertThat(b.untilFull(70_000)).isZero();
    }
}
