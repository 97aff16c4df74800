package io.longlink.api.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.longlink.common.grpc.Refusal;
import io.prometheus.client.CollectorRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PushQuotasTest {
    private static final Quota DEFAULTS = new Quota(10, 2, 100);

    /** Nanoseconds that pass only when a test says so. */
    private final AtomicLong clock = new AtomicLong(TimeUnit.DAYS.toNanos(3));
    private final AtomicInteger apiNodes = new AtomicInteger(1);
    private final CollectorRegistry registry = new CollectorRegistry();
    private final PushQuotas quotas = new PushQuotas(DEFAULTS, apiNodes::get, 100, clock::get, registry);

    private void advanceMs(long ms) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** How many of {@code n} pushes one call of {@code app} takes before the first refusal, and that refusal. */
    private Taken take(String app, Quota own, int n, boolean fanOut) {
        PushQuotas.Call call = quotas.call(app, own);
        for (int i = 0; i < n; i++) {
            try {
                call.take(fanOut);
            } catch (Refusal r) {
                return new Taken(i, r);
            }
        }
        return new Taken(n, null);
    }

    private record Taken(int pushes, Refusal refusal) {
    }

    private double refused(String quota) {
        Double v = registry.getSampleValue("longlink_api_quota_refusals_total", new String[] {"quota"},
                new String[] {quota});
        return v == null ? 0 : v;
    }

    @Test
    void take_whenOneSecondOfTheRateIsTaken_thenRefusedWithTheTimeUntilTheNextToken() {
        Taken t = take("a", Quota.NONE, 11, false);

        assertThat(t.pushes()).isEqualTo(10);
        assertThat(t.refusal().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(t.refusal().retryAfterMs()).isEqualTo(100);
        assertThat(t.refusal().getMessage()).isEqualTo("quota pushes_per_s: this app's 10 pushes per second are used up"
                + " (expected: a retry after 100 ms)");
        assertThat(refused(Quota.PUSHES_PER_S)).isEqualTo(1);
    }

    @Test
    void take_whenTimePasses_thenTokensComeBackAtTheRate() {
        take("a", Quota.NONE, 10, false);

        advanceMs(250);

        assertThat(take("a", Quota.NONE, 5, false).pushes()).isEqualTo(2);
    }

    @Test
    void take_whenTheRetryHintHasPassed_thenThePushIsTaken() {
        Refusal r = take("a", Quota.NONE, 11, false).refusal();

        advanceMs(r.retryAfterMs() - 1);
        assertThat(take("a", Quota.NONE, 1, false).pushes()).isZero();
        advanceMs(1);
        assertThat(take("a", Quota.NONE, 1, false).pushes()).isEqualTo(1);
    }

    @Test
    void take_whenTwoApiNodesAreLive_thenEachTakesHalfTheRate() {
        apiNodes.set(2);

        Taken t = take("a", Quota.NONE, 10, false);

        assertThat(t.pushes()).isEqualTo(5);
        assertThat(t.refusal().retryAfterMs()).isEqualTo(200);
    }

    @Test
    void take_whenTheShareIsBelowOneTokenPerSecond_thenOneTokenAndALongerWait() {
        apiNodes.set(4);

        Taken t = take("a", Quota.NONE, 3, true);

        assertThat(t.pushes()).isEqualTo(1);
        assertThat(t.refusal().retryAfterMs()).isEqualTo(2_000);
        assertThat(t.refusal().getMessage()).startsWith("quota fanouts_per_s: this app's 2 tag or broadcast pushes");
    }

    @Test
    void take_whenTheAppHasItsOwnQuota_thenItsOwnRateOtherwiseTheDefault() {
        assertThat(take("own", new Quota(3, 0, 0), 10, false).pushes()).isEqualTo(3);
        assertThat(take("own", new Quota(3, 0, 0), 10, true).pushes()).isZero();
        assertThat(take("fan", new Quota(0, 5, 0), 10, true).pushes()).isEqualTo(5);
    }

    @Test
    void take_whenAppsDiffer_thenTheirBucketsAreApart() {
        take("a", Quota.NONE, 10, false);

        assertThat(take("b", Quota.NONE, 10, false).pushes()).isEqualTo(10);
    }

    @Test
    void take_whenTheFanOutRateIsUsedUp_thenNoPushTokenIsSpent() {
        take("a", Quota.NONE, 2, true);

        Taken t = take("a", Quota.NONE, 1, true);

        assertThat(t.refusal().getMessage()).startsWith("quota fanouts_per_s");
        assertThat(take("a", Quota.NONE, 20, false).pushes()).isEqualTo(8);
        assertThat(refused(Quota.FANOUTS_PER_S)).isEqualTo(1);
    }

    @Test
    void take_whenThePushRateRefusesAFanOut_thenItsFanOutTokenIsPutBack() {
        take("a", Quota.NONE, 10, false);

        assertThat(take("a", Quota.NONE, 1, true).refusal().getMessage()).startsWith("quota pushes_per_s");
        advanceMs(200);

        assertThat(take("a", Quota.NONE, 3, true).pushes()).isEqualTo(2);
    }

    @Test
    void call_whenEntriesOfOneCallAreTaken_thenJudgedAtTheCallsInstant() {
        PushQuotas.Call call = quotas.call("a", Quota.NONE);
        for (int i = 0; i < 10; i++) {
            call.take(false);
        }

        advanceMs(1_000);

        assertThatThrownBy(() -> call.take(false)).isInstanceOf(Refusal.class);
        assertThat(take("a", Quota.NONE, 20, false).pushes()).isEqualTo(10);
    }

    @Test
    void checkAudience_whenOverDevicesPerCall_thenRefusedWithoutARetryHint() {
        PushQuotas.Call call = quotas.call("a", new Quota(0, 0, 5));

        call.checkAudience("audience.devices", 5);

        assertThatThrownBy(() -> call.checkAudience("audience.aliases", 6)).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(r.retryAfterMs()).isEqualTo(-1);
            assertThat(r.getMessage()).isEqualTo("audience.aliases: 6 names (expected: at most 5, this app's quota"
                    + " devices_per_call; split the push)");
        });
        assertThat(refused(Quota.DEVICES_PER_CALL)).isEqualTo(1);
        assertThatThrownBy(() -> quotas.call("b", Quota.NONE).checkAudience("audience.devices", 101))
                .hasMessageContaining("at most 100");
    }

    @Test
    void constructor_whenADefaultIsZero_thenRefused() {
        assertThatThrownBy(() -> new PushQuotas(new Quota(1, 0, 1), () -> 1, 10, clock::get, new CollectorRegistry()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
