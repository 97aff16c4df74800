package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionWheelTest {
    private static final long TICK_MS = 100;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Session> expired = new ArrayList<>();
    private final List<Session> slow = new ArrayList<>();
    /** Idle policy: 5 ticks after the last frame. */
    private final SessionWheel wheel = new SessionWheel(8, TICK_MS, clock::get, idlePolicy(5, 3), null,
            Integer.MAX_VALUE, Runnable::run);
    /** Continuations a budgeted wheel asked to run soon; the test runs them. */
    private final ArrayDeque<Runnable> soon = new ArrayDeque<>();

    /** Deadline {@code idleTicks} after the last frame; records into {@link #expired} and {@link #slow}. */
    private SessionWheel.Policy idlePolicy(int idleTicks, int slowReaderTicks) {
        return new SessionWheel.Policy() {
            @Override
            public int deadline(Session s, int now) {
                return s.lastSeenTick + idleTicks;
            }

            @Override
            public void expired(Session s) {
                expired.add(s);
                s.state = Session.CLOSED;
            }

            @Override
            public void slowReader(Session s) {
                slow.add(s);
            }

            @Override
            public int slowReaderTicks() {
                return slowReaderTicks;
            }
        };
    }

    private void advanceTicks(int n) {
        advanceTicks(wheel, n);
    }

    private void advanceTicks(SessionWheel w, int n) {
        for (int i = 0; i < n; i++) {
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
            w.run();
        }
    }

    private Session session() {
        return session(wheel);
    }

    private static Session session(SessionWheel w) {
        Session s = new Session(new EmbeddedChannel());
        s.state = Session.LIVE;
        s.lastSeenTick = w.now();
        w.schedule(s, s.lastSeenTick + 5);
        return s;
    }

    /** A wheel that expires at most {@code budget} sessions per run and queues its continuation in {@link #soon}. */
    private SessionWheel budgeted(int budget) {
        return new SessionWheel(8, TICK_MS, clock::get, idlePolicy(5, 3), null, budget, soon::add);
    }

    @Test
    void run_whenMoreExpireAtOnceThanOneRunMay_thenTheRestExpireInContinuationsBeforeTheNextTick() {
        SessionWheel w = budgeted(3);
        List<Session> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(session(w));
        }
        advanceTicks(w, 5);
        assertThat(expired).hasSize(3);
        assertThat(soon).hasSize(1);
        while (!soon.isEmpty()) {
            soon.poll().run(); // the clock does not move: still the same tick
        }
        assertThat(expired).containsExactlyInAnyOrderElementsOf(all);
        assertThat(w.linkedCount()).isZero();
    }

    @Test
    void unlink_whenClosedWhileWaitingForAContinuation_thenNeverExpiredAndTheWheelStaysWhole() {
        SessionWheel w = budgeted(1);
        Session a = session(w);
        Session b = session(w);
        Session c = session(w);
        advanceTicks(w, 5);
        assertThat(expired).hasSize(1);
        List<Session> waiting = new ArrayList<>(List.of(a, b, c));
        waiting.removeAll(expired);
        Session closed = waiting.get(0);
        closed.state = Session.CLOSED; // the connection closed on its own meanwhile
        w.unlink(closed);
        while (!soon.isEmpty()) {
            soon.poll().run();
        }
        assertThat(expired).hasSize(2).doesNotContain(closed).contains(waiting.get(1));
        assertThat(w.linkedCount()).isZero();
        Session later = session(w);
        advanceTicks(w, 5);
        assertThat(expired).hasSize(3).contains(later);
    }

    @Test
    void run_whenTheNextTickComesBeforeTheContinuation_thenTheWaitingOnesGoFirstAndOneContinuationIsQueued() {
        SessionWheel w = budgeted(2);
        List<Session> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(session(w));
        }
        advanceTicks(w, 1);
        Session second = session(w); // due one tick after the first four
        advanceTicks(w, 4);
        assertThat(expired).hasSize(2);
        advanceTicks(w, 1); // the tick runs before the queued continuation
        assertThat(expired).hasSize(4).containsAll(first);
        assertThat(soon).hasSize(1);
        while (!soon.isEmpty()) {
            soon.poll().run();
        }
        assertThat(expired).hasSize(5).contains(second);
    }

    @Test
    void run_whenNoFrameUntilDeadline_thenExpiredExactlyAtDeadline() {
        Session s = session();
        advanceTicks(4);
        assertThat(expired).isEmpty();
        advanceTicks(1);
        assertThat(expired).containsExactly(s);
        assertThat(wheel.linkedCount()).isZero();
    }

    @Test
    void run_whenFramesKeepArriving_thenNeverExpiredAndRescheduledLazily() {
        Session s = session();
        for (int i = 0; i < 40; i++) { // five laps of an 8-slot wheel
            advanceTicks(1);
            s.lastSeenTick = wheel.now(); // what a frame does: one field write
        }
        assertThat(expired).isEmpty();
        assertThat(wheel.linkedCount()).isEqualTo(1);
        advanceTicks(5);
        assertThat(expired).containsExactly(s);
    }

    @Test
    void unlink_whenSessionClosed_thenWheelHoldsNoReference() {
        Session a = session();
        Session b = session();
        Session c = session();
        wheel.unlink(b);
        assertThat(wheel.linkedCount()).isEqualTo(2);
        wheel.unlink(a);
        wheel.unlink(c);
        wheel.unlink(c); // twice is harmless
        assertThat(wheel.linkedCount()).isZero();
        advanceTicks(10);
        assertThat(expired).isEmpty();
    }

    @Test
    void run_whenDeadlineBeyondOneLap_thenNotExpiredEarly() {
        Session s = new Session(new EmbeddedChannel());
        s.state = Session.LIVE;
        SessionWheel longWheel = new SessionWheel(8, TICK_MS, clock::get, idlePolicy(20, 1), null,
                Integer.MAX_VALUE, Runnable::run); // 2.5 laps
        longWheel.schedule(s, 20);
        advanceTicks(longWheel, 19);
        assertThat(expired).isEmpty();
        advanceTicks(longWheel, 1);
        assertThat(expired).containsExactly(s);
    }

    @ParameterizedTest(name = "event {0} ms into its tick")
    @ValueSource(longs = {0, 1, 50, 99})
    void run_whenEventInsideATick_thenFiresNoEarlierThanTheDelayAndWithinATickOfIt(long intoTickMs) {
        advanceTicks(3);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(intoTickMs));
        wheel.run(); // the loop runs often; only the clock decides the tick
        long eventNanos = clock.get();
        Session s = new Session(new EmbeddedChannel());
        s.state = Session.LIVE;
        s.lastSeenTick = wheel.eventTick();
        wheel.schedule(s, s.lastSeenTick + 5); // 5 ticks = 500 ms
        while (expired.isEmpty()) {
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
            wheel.run();
        }
        long firedAfterMs = TimeUnit.NANOSECONDS.toMillis(clock.get() - eventNanos);
        assertThat(firedAfterMs).isGreaterThanOrEqualTo(5 * TICK_MS).isLessThan(6 * TICK_MS);
    }

    @Test
    void run_whenLoopWasLateSeveralTicks_thenCatchesUpAllSlots() {
        Session s = session();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(TICK_MS * 7));
        wheel.run();
        assertThat(expired).containsExactly(s);
    }

    @Test
    void watchUnwritable_whenStillUnwritableAfterLimit_thenSlowReader() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
        ch.write(io.netty.buffer.Unpooled.wrappedBuffer(new byte[16])); // queued, not flushed: unwritable
        assertThat(ch.isWritable()).isFalse();
        Session s = new Session(ch);
        s.state = Session.LIVE;
        wheel.watchUnwritable(s);
        wheel.watchUnwritable(s); // once only
        advanceTicks(2);
        assertThat(slow).isEmpty();
        advanceTicks(1);
        assertThat(slow).containsExactly(s);
        advanceTicks(5);
        assertThat(slow).containsExactly(s);
        ch.finishAndReleaseAll();
    }

    @Test
    void watchUnwritable_whenWritableAgain_thenForgotten() {
        Session s = new Session(new EmbeddedChannel()); // writable
        s.state = Session.LIVE;
        wheel.watchUnwritable(s);
        advanceTicks(10);
        assertThat(slow).isEmpty();
        assertThat(s.flags & Session.F_WATCHED_UNWRITABLE).isZero();
    }
}
