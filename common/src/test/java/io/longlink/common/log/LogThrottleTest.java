package io.longlink.common.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    @Test
    void pass_whenCalledWithinASecond_thenFirstOnlyAndTheNextOneCountsTheHeldBack() {
        AtomicLong nanos = new AtomicLong(5);
        LogThrottle throttle = new LogThrottle(nanos::get);

        assertThat(throttle.pass()).isZero();
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        assertThat(throttle.pass()).isEqualTo(-1);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(599));
        assertThat(throttle.pass()).isEqualTo(-1);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(throttle.pass()).isEqualTo(2);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        assertThat(throttle.pass()).isZero();
    }

    @Test
    void pass_whenManyThreadsAtOnce_thenOneLetThroughAndEveryOtherCounted() throws Exception {
        AtomicLong nanos = new AtomicLong();
        LogThrottle throttle = new LogThrottle(nanos::get);
        LongAdder through = new LongAdder();
        LongAdder reportedHeld = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 10_000; i++) {
                    long held = throttle.pass();
                    if (held >= 0) {
                        through.increment();
                        reportedHeld.add(held);
                    }
                }
            });
            threads[t].start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(through.sum()).isEqualTo(1);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        // The line let through may already count some held back while it won; none is lost or counted twice.
        reportedHeld.add(throttle.pass());
        assertThat(reportedHeld.sum()).isEqualTo(39_999);
    }
}
