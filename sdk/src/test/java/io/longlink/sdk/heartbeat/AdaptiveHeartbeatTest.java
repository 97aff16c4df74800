package io.longlink.sdk.heartbeat;

import static io.longlink.sdk.heartbeat.AdaptiveHeartbeat.Action.NONE;
import static io.longlink.sdk.heartbeat.AdaptiveHeartbeat.Action.PONG_TIMEOUT;
import static io.longlink.sdk.heartbeat.AdaptiveHeartbeat.Action.SEND_PING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdaptiveHeartbeatTest {
    private static final long PONG_TIMEOUT_MS = 5_000;
    private static final long RTT_MS = 40;

    /** A fake monotonic clock in milliseconds, moved only by the test. */
    private long now = 1_000_000;

    private final AdaptiveHeartbeat heartbeat = new AdaptiveHeartbeat(2, 30, PONG_TIMEOUT_MS, 4);

    @Test
    void poll_whenStarted_thenPingExactlyAtTheNegotiatedInterval() {
        AdaptiveHeartbeat.Session s = heartbeat.start(now, 60, 30, 60);
        assertThat(s.currentSeconds()).isEqualTo(60);
        assertThat(s.nextDeadlineMillis()).isEqualTo(now + 60_000);
        now += 59_999;
        assertThat(s.poll(now)).isEqualTo(NONE);
        now += 1;
        assertThat(s.poll(now)).isEqualTo(SEND_PING);
        assertThat(s.poll(now)).as("one PING per interval").isEqualTo(NONE);
        assertThat(s.nextDeadlineMillis()).isEqualTo(now + PONG_TIMEOUT_MS);
    }

    @Test
    void onPong_whenEnoughAnsweredPings_thenStepsUpUntilServerMax() {
        AdaptiveHeartbeat.Session s = heartbeat.start(now, 60, 30, 130);
        assertThat(pingAndPong(s)).isEqualTo(60);
        assertThat(s.currentSeconds()).as("one answered PING is not enough").isEqualTo(60);
        assertThat(pingAndPong(s)).isEqualTo(60);
        assertThat(s.currentSeconds()).as("probe after 2 answered PINGs").isEqualTo(90);
        assertThat(pingAndPong(s)).isEqualTo(90);
        assertThat(pingAndPong(s)).isEqualTo(90);
        assertThat(s.currentSeconds()).isEqualTo(120);
        pingAndPong(s);
        pingAndPong(s);
        assertThat(s.currentSeconds()).as("capped by the server's max").isEqualTo(130);
        pingAndPong(s);
        pingAndPong(s);
        assertThat(s.currentSeconds()).isEqualTo(130);
        assertThat(heartbeat.learnedSeconds("")).isEqualTo(130);
    }

    @Test
    void poll_whenProbeMissesPong_thenTimeoutAndNextSessionFallsBackToLastGood() {
        heartbeat.setNetworkKey("wifi:home");
        AdaptiveHeartbeat.Session s = heartbeat.start(now, 60, 30, 300);
        pingAndPong(s);
        pingAndPong(s);
        assertThat(s.currentSeconds()).isEqualTo(90);
        now = s.nextDeadlineMillis();
        assertThat(s.poll(now)).isEqualTo(SEND_PING);
        now += PONG_TIMEOUT_MS - 1;
        assertThat(s.poll(now)).isEqualTo(NONE);
        now += 1;
        assertThat(s.poll(now)).isEqualTo(PONG_TIMEOUT);
        assertThat(s.currentSeconds()).isEqualTo(60);
        assertThat(heartbeat.learnedSeconds("wifi:home")).isEqualTo(60);

        AdaptiveHeartbeat.Session next = heartbeat.start(now, 60, 30, 300);
        assertThat(next.currentSeconds()).isEqualTo(60);
        for (int i = 0; i < 6; i++) {
            assertThat(pingAndPong(next)).as("90 s failed on this network: no new probe").isEqualTo(60);
        }
    }

    @Test
    void onConnectionLost_whenProbing_thenNextSessionUsesLastGood() {
        AdaptiveHeartbeat.Session s = heartbeat.start(now, 60, 30, 300);
        pingAndPong(s);
        pingAndPong(s);
        assertThat(s.currentSeconds()).isEqualTo(90);
        s.onConnectionLost();
        assertThat(heartbeat.start(now, 60, 30, 300).currentSeconds()).isEqualTo(60);
    }

    @Test
    void onConnectionLost_whenAtGoodInterval_thenIntervalKept() {
        AdaptiveHeartbeat.Session s = heartbeat.start(now, 60, 30, 300);
        pingAndPong(s);
        s.onConnectionLost();
        AdaptiveHeartbeat.Session next = heartbeat.start(now, 60, 30, 300);
        assertThat(next.currentSeconds()).isEqualTo(60);
        pingAndPong(next);
        pingAndPong(next);
        assertThat(next.currentSeconds()).as("probing still allowed").isEqualTo(90);
    }

    @Test
    void poll_whenGoodIntervalMissesTwiceInARow_thenStepsDown() {
        heartbeat.putLearnedSeconds("lte", 120);
        heartbeat.setNetworkKey("lte");
        for (int i = 0; i < 2; i++) {
            AdaptiveHeartbeat.Session s = heartbeat.start(now, 60, 30, 300);
            assertThat(s.currentSeconds()).isEqualTo(120);
            now = s.nextDeadlineMillis();
            assertThat(s.poll(now)).isEqualTo(SEND_PING);
            now += PONG_TIMEOUT_MS;
            assertThat(s.poll(now)).isEqualTo(PONG_TIMEOUT);
        }
        assertThat(heartbeat.learnedSeconds("lte")).isEqualTo(90);
        assertThat(heartbeat.start(now, 60, 30, 300).currentSeconds()).isEqualTo(90);
    }

    @Test
    void start_whenNetworkKeysDiffer_thenEachNetworkLearnsAlone() {
        heartbeat.setNetworkKey("wifi:a");
        AdaptiveHeartbeat.Session a = heartbeat.start(now, 60, 30, 300);
        pingAndPong(a);
        pingAndPong(a);
        pingAndPong(a);
        assertThat(heartbeat.learnedSeconds("wifi:a")).isEqualTo(90);
        heartbeat.setNetworkKey("carrier:b");
        assertThat(heartbeat.wishSeconds()).isZero();
        assertThat(heartbeat.start(now, 60, 30, 300).currentSeconds()).isEqualTo(60);
        heartbeat.setNetworkKey("wifi:a");
        assertThat(heartbeat.wishSeconds()).isEqualTo(90);
        assertThat(heartbeat.start(now, 60, 30, 300).currentSeconds()).isEqualTo(90);
    }

    @Test
    void start_whenLearnedOutsideNewServerRange_thenClamped() {
        heartbeat.putLearnedSeconds("", 500);
        assertThat(heartbeat.start(now, 60, 30, 240).currentSeconds()).isEqualTo(240);
        heartbeat.putLearnedSeconds("", 5);
        assertThat(heartbeat.start(now, 60, 30, 240).currentSeconds()).isEqualTo(30);
    }

    @Test
    void start_whenServerSendsNoRangeOrABrokenOne_thenHoldsServerInterval() {
        AdaptiveHeartbeat.Session fixed = heartbeat.start(now, 45, 0, 0);
        pingAndPong(fixed);
        pingAndPong(fixed);
        pingAndPong(fixed);
        assertThat(fixed.currentSeconds()).isEqualTo(45);
        assertThat(heartbeat.start(now, 45, 100, 50).currentSeconds()).isEqualTo(45);
        assertThat(heartbeat.start(now, 0, 0, 0).currentSeconds()).isEqualTo(AdaptiveHeartbeat.FALLBACK_SECONDS);
    }

    @Test
    void onPong_whenUnsolicitedOrAfterEnd_thenIgnored() {
        AdaptiveHeartbeat.Session s = heartbeat.start(now, 60, 30, 300);
        s.onPong(now);
        s.onPong(now);
        assertThat(s.currentSeconds()).isEqualTo(60);
        s.end();
        now += 60_000;
        assertThat(s.poll(now)).isEqualTo(NONE);
    }

    @Test
    void memory_whenMoreNetworksThanLimit_thenLeastRecentlyUsedForgotten() {
        for (int i = 0; i < 5; i++) {
            heartbeat.putLearnedSeconds("net-" + i, 100 + i);
        }
        assertThat(heartbeat.learnedSnapshot()).hasSize(4).doesNotContainKey("net-0").containsEntry("net-4", 104);
    }

    @Test
    void constructor_whenBadSettings_thenClearErrors() {
        assertThatThrownBy(() -> new AdaptiveHeartbeat(0, 30, 1, 1)).hasMessage("probeAfter: 0 (expected >= 1)");
        assertThatThrownBy(() -> heartbeat.putLearnedSeconds("x", 0)).hasMessage("seconds: 0 (expected >= 1)");
    }

    /** Advances to the next PING, answers it after one round trip; returns the interval that was used. */
    private int pingAndPong(AdaptiveHeartbeat.Session s) {
        int interval = s.currentSeconds();
        long due = s.nextDeadlineMillis();
        assertThat(s.poll(due - 1)).isEqualTo(NONE);
        now = due;
        assertThat(s.poll(now)).isEqualTo(SEND_PING);
        now += RTT_MS;
        s.onPong(now);
        return interval;
    }
}
