package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.frames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.prometheus.client.CollectorRegistry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SessionTimeoutsTest {
    /** 100 ms ticks; CONNECT within 5 s (50 ticks), stores 1 s (20 ticks for two calls), heartbeat x 3. */
    private final SessionSettings settings = new SessionFixture.Settings().build();
    private final CollectorRegistry registry = new CollectorRegistry();
    private final ConnMetrics metrics = new ConnMetrics(registry, () -> 0, () -> 0);
    private final EmbeddedChannel wheelLoop = new EmbeddedChannel();
    private final SessionTimeouts timeouts = new SessionTimeouts(settings, metrics, new Disconnector(metrics),
            wheelLoop.eventLoop());

    @AfterEach
    void close() {
        timeouts.close();
        wheelLoop.finishAndReleaseAll();
    }

    private static Session session(byte state) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Session s = new Session(ch);
        ch.attr(Disconnector.SESSION).set(s);
        s.state = state;
        s.heartbeatSeconds = 60;
        return s;
    }

    private static Error closedWith(Session s) {
        EmbeddedChannel ch = (EmbeddedChannel) s.channel;
        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).hasSize(1);
        assertThat(ch.isOpen()).isFalse();
        return frames.get(0).error();
    }

    private double metric(String name) {
        Double v = registry.getSampleValue(name);
        return v == null ? 0 : v;
    }

    static Stream<Arguments> deadline_thenCountedFromTheLastFrameByState() {
        return Stream.of(
                arguments(named("awaiting CONNECT: the connect timeout", Session.AWAITING_CONNECT), 5 + 50),
                arguments(named("authenticating: the store timeout added", Session.AUTHENTICATING), 5 + 50 + 20),
                arguments(named("routing: the store timeout added", Session.ROUTING), 5 + 50 + 20),
                arguments(named("live: heartbeat x idle factor", Session.LIVE), 5 + 60 * 3 * 10));
    }

    @ParameterizedTest
    @MethodSource
    void deadline_thenCountedFromTheLastFrameByState(byte state, int deadline) {
        Session s = session(state);
        s.lastSeenTick = 5;
        assertThat(timeouts.deadline(s, 5)).isEqualTo(deadline);
    }

    static Stream<Arguments> expired_thenClosedWithTheStatesErrorAndCounted() {
        return Stream.of(
                arguments(named("no CONNECT", Session.AWAITING_CONNECT), ErrorCode.CONNECT_TIMEOUT,
                        "no CONNECT within 5000 ms of connecting", "longlink_conn_connect_timeouts_total"),
                arguments(named("idle", Session.LIVE), ErrorCode.IDLE_TIMEOUT,
                        "no frame within 180 s (heartbeat 60 s x 3)", "longlink_conn_idle_evictions_total"));
    }

    @ParameterizedTest
    @MethodSource
    void expired_thenClosedWithTheStatesErrorAndCounted(byte state, ErrorCode code, String reason, String counter) {
        Session s = session(state);
        timeouts.expired(s);
        Error e = closedWith(s);
        assertThat(e.getCode()).isEqualTo(code);
        assertThat(e.getReason()).isEqualTo(reason);
        assertThat(metric(counter)).isEqualTo(1);
    }

    @Test
    void expired_whileTheConnectIsServed_thenInternal() {
        Session s = session(Session.ROUTING);
        timeouts.expired(s);
        assertThat(closedWith(s).getCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(metric("longlink_conn_connect_timeouts_total")).isZero();
    }

    @Test
    void expired_whenItsErrorWriteNeverCompleted_thenClosedWithoutAnotherFrame() {
        Session s = session(Session.LIVE);
        s.flags |= Session.F_CLOSING;
        timeouts.expired(s);
        assertThat(s.channel.isOpen()).isFalse();
        assertThat(((EmbeddedChannel) s.channel).outboundMessages()).isEmpty();
        assertThat(metric("longlink_conn_idle_evictions_total")).isZero();
    }

    @Test
    void slowReader_thenSlowReaderAndCounted() {
        Session s = session(Session.LIVE);
        timeouts.slowReader(s);
        assertThat(closedWith(s).getCode()).isEqualTo(ErrorCode.SLOW_READER);
        assertThat(metric("longlink_conn_slow_reader_closes_total")).isEqualTo(1);
        assertThat(timeouts.slowReaderTicks()).isEqualTo(100);
    }

    @Test
    void frameSeen_whenTheGapIsLongerThanTheHeartbeat_thenHeartbeatFollowsItUpToTheMax() {
        Session s = session(Session.LIVE);
        s.lastSeenTick = -900; // 90 s ago
        assertThat(timeouts.frameSeen(s)).isZero();
        assertThat(s.heartbeatSeconds).isEqualTo((short) 90);
        assertThat(s.lastSeenTick).isZero();

        s.lastSeenTick = -10_000; // 1000 s ago: more than the 300 s maximum
        timeouts.frameSeen(s);
        assertThat(s.heartbeatSeconds).isEqualTo((short) 300);
    }

    @Test
    void frameSeen_beforeConnAck_thenHeartbeatUntouched() {
        Session s = session(Session.AWAITING_CONNECT);
        s.lastSeenTick = -900;
        timeouts.frameSeen(s);
        assertThat(s.heartbeatSeconds).isEqualTo((short) 60);
    }

    @Test
    void opened_onALoopWithAWheel_thenOnTheWheelUntilClosed() {
        wheelLoop.runPendingTasks(); // installs the loop's wheel on this thread, which runs the embedded loop
        Session s = session(Session.AWAITING_CONNECT);
        timeouts.opened(s);
        assertThat(s.wheelSlot).isNotNegative();

        timeouts.watchUnwritable(s);
        assertThat(s.flags & Session.F_WATCHED_UNWRITABLE).isNotZero();

        timeouts.closed(s);
        assertThat(s.wheelSlot).isEqualTo(-1);
    }

    @Test
    void opened_offTheDeviceLoops_thenNoWheelAndTickZero() {
        Session s = session(Session.AWAITING_CONNECT);
        timeouts.opened(s);
        timeouts.watchUnwritable(s);
        assertThat(s.wheelSlot).isEqualTo(-1);
        assertThat(s.flags & Session.F_WATCHED_UNWRITABLE).isZero();
        assertThat(timeouts.now()).isZero();
    }
}
