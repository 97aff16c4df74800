package io.longlink.api.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.longlink.common.grpc.Refusal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
    private static final long T0 = MessageIds.EPOCH_MS + 123_456_789L;

    @Test
    void next_whenCalled_thenLayoutIsTimestampWorkerSequence() {
        MessageIds ids = new MessageIds(() -> T0, () -> 517);

        long first = ids.next();
        long second = ids.next();

        assertThat(MessageIds.timestampMs(first)).isEqualTo(T0);
        assertThat(MessageIds.worker(first)).isEqualTo(517);
        assertThat(MessageIds.sequence(first)).isZero();
        assertThat(MessageIds.sequence(second)).isEqualTo(1);
        assertThat(first).isPositive();
        assertThat(first).isEqualTo((123_456_789L << 22) | (517L << 12));
    }

    @Test
    void next_whenClockAdvances_thenIdsIncreaseAndSequenceRestarts() {
        AtomicLong clock = new AtomicLong(T0);
        MessageIds ids = new MessageIds(clock::get, () -> 1);
        long a = ids.next();
        ids.next();
        clock.addAndGet(5);
        long b = ids.next();

        assertThat(b).isGreaterThan(a);
        assertThat(MessageIds.sequence(b)).isZero();
        assertThat(MessageIds.timestampMs(b)).isEqualTo(T0 + 5);
    }

    @Test
    void next_whenSequenceExhaustedWithinOneMs_thenBorrowsNextMsWithoutRepeating() {
        MessageIds ids = new MessageIds(() -> T0, () -> 3);
        Set<Long> seen = new HashSet<>();
        long last = 0;
        for (int i = 0; i < 4096 * 3; i++) {
            long id = ids.next();
            assertThat(id).isGreaterThan(last);
            assertThat(seen.add(id)).isTrue();
            last = id;
        }
        assertThat(MessageIds.timestampMs(last)).isEqualTo(T0 + 2);
    }

    @Test
    void next_whenClockStepsBack_thenStillIncreasing() {
        AtomicLong clock = new AtomicLong(T0);
        MessageIds ids = new MessageIds(clock::get, () -> 9);
        long before = ids.next();
        clock.addAndGet(-10_000);

        long after = ids.next();

        assertThat(after).isGreaterThan(before);
        assertThat(MessageIds.worker(after)).isEqualTo(9);
    }

    @Test
    void next_whenTheSlotsFloorIsAheadOfTheClock_thenIdsStartAtTheFloorAndKeepCounting() {
        AtomicLong clock = new AtomicLong(T0);
        MessageIds ids = new MessageIds(clock::get, () -> new WorkerSlot(4, T0 + 3_000, T0 + 60_000));

        long first = ids.next();
        long second = ids.next();
        clock.set(T0 + 3_001);
        long caughtUp = ids.next();

        assertThat(MessageIds.timestampMs(first)).isEqualTo(T0 + 3_000);
        assertThat(second).isEqualTo(first + 1);
        assertThat(MessageIds.timestampMs(caughtUp)).isEqualTo(T0 + 3_001);
    }

    @Test
    void next_whenTheTimestampWouldReachTheReservation_thenUnavailableUntilItIsExtended() {
        AtomicLong clock = new AtomicLong(T0 + 9_999);
        AtomicLong until = new AtomicLong(T0 + 10_000);
        MessageIds ids = new MessageIds(clock::get, () -> new WorkerSlot(4, 0, until.get()));
        long below = ids.next();
        clock.set(T0 + 10_000);

        assertThatThrownBy(ids::next).isInstanceOf(Refusal.class)
                .satisfies(e -> assertThat(((Refusal) e).code()).isEqualTo(Status.Code.UNAVAILABLE))
                .hasMessageContaining("worker id 4 is reserved only until " + (T0 + 10_000));
        until.set(T0 + 20_000);
        assertThat(ids.next()).isGreaterThan(below);
    }

    @Test
    void next_whenNoWorkerLease_thenUnavailable() {
        MessageIds ids = new MessageIds(() -> T0, () -> -1);

        assertThatThrownBy(ids::next).isInstanceOf(Refusal.class)
                .satisfies(e -> assertThat(((Refusal) e).code()).isEqualTo(Status.Code.UNAVAILABLE))
                .hasMessageContaining("worker id");
    }

    @Test
    void next_whenManyThreads_thenAllIdsDistinct() throws Exception {
        MessageIds ids = new MessageIds(System::currentTimeMillis, () -> 1023);
        Set<Long> all = ConcurrentHashMap.newKeySet();
        int threads = 4;
        int perThread = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    all.add(ids.next());
                }
            });
            w.start();
            workers.add(w);
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(all).hasSize(threads * perThread);
    }
}
