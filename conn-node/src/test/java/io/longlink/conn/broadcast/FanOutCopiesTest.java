package io.longlink.conn.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class FanOutCopiesTest {
    private final AtomicLong nanos = new AtomicLong();
    private final FanOutCopies copies = new FanOutCopies(nanos::get);

    private void written(long id, long position) {
        copies.started("app", id, position);
        copies.finished("app", position);
    }

    @Test
    void position_whenARecentFanOutCopy_thenItsLogPositionOrNotLogged_andOtherwiseZero() {
        written(1_001, 7);
        copies.started("app", 1_002, 0); // TTL 0: not in the log
        assertThat(copies.position(1_001)).isEqualTo(7);
        assertThat(copies.position(1_002)).isEqualTo(FanOutCopies.NOT_LOGGED);
        assertThat(copies.position(1_003)).isZero();
    }

    @Test
    void position_whenManyMoreFanOutsThanItKeeps_thenAtMostItsSizeRememberedAndTheLatestAmongThem() {
        int n = 4 * FanOutCopies.RECENT;
        for (int i = 1; i <= n; i++) {
            written(i, i);
        }
        long known = LongStream.rangeClosed(1, n).filter(id -> copies.position(id) != 0).count();
        assertThat(known).isLessThanOrEqualTo(FanOutCopies.RECENT).isGreaterThan(FanOutCopies.RECENT / 2);
        assertThat(copies.position(n)).isEqualTo(n);
    }

    @Test
    void through_whenFanOutsFinishInOrder_thenUpToTheLast() {
        assertThat(copies.through("app")).isZero();
        written(1, 10);
        written(2, 11);
        assertThat(copies.through("app")).isEqualTo(11);
        assertThat(copies.through("other-app")).isZero();
    }

    @Test
    void through_whenALaterOneFinishesWhileAnEarlierIsWriting_thenNotPastTheEarlier() {
        written(1, 10);
        copies.started("app", 2, 11); // a spread, or a retried FanOut: still writing
        written(3, 12);
        assertThat(copies.through("app")).isEqualTo(10);

        copies.finished("app", 11);
        assertThat(copies.through("app")).isEqualTo(12);
    }

    @Test
    void through_whenAPositionNeverComes_thenWaitedForUntilTheGapTime() {
        written(1, 10);
        written(3, 12); // 11 has not come (yet)
        assertThat(copies.through("app")).isEqualTo(10);

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(FanOutCopies.GAP_MS) - 1);
        assertThat(copies.through("app")).isEqualTo(10);
        nanos.addAndGet(1);
        assertThat(copies.through("app")).isEqualTo(12);

        written(2, 11); // it came after all, too late to hold anything back
        assertThat(copies.through("app")).isEqualTo(12);
    }

    @Test
    void through_whenTheSamePositionIsWrittenAgain_thenNotPastItUntilThatEnds() {
        written(1, 10);
        copies.started("app", 2, 11);
        copies.started("app", 2, 11); // routed again while the first FanOut still writes
        copies.finished("app", 11);
        assertThat(copies.through("app")).isEqualTo(10);
        copies.finished("app", 11);
        assertThat(copies.through("app")).isEqualTo(11);
    }
}
