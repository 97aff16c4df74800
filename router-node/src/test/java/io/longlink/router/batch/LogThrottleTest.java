package io.longlink.router.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private final AtomicLong nanos = new AtomicLong(-5_000_000_000L); // nanoTime may be negative

    @Test
    void pass_whenLinesComeFasterThanOneASecond_thenOneGoesThroughAndTheNextCountsTheRest() {
        LogThrottle throttle = new LogThrottle(nanos::get);

        assertThat(throttle.pass()).isZero();
        nanos.addAndGet(300_000_000L);
        assertThat(throttle.pass()).isEqualTo(-1);
        nanos.addAndGet(300_000_000L);
        assertThat(throttle.pass()).isEqualTo(-1);
        nanos.addAndGet(400_000_000L);
        assertThat(throttle.pass()).isEqualTo(2);
        nanos.addAndGet(1_500_000_000L);
        assertThat(throttle.pass()).isZero();
    }
}
