package io.longlink.api.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.longlink.common.redis.RouterLagReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FanOutAdmissionTest {
    private static final long NOW = 1_796_000_000_000L;

    @Test
    void worst_whenSeveralFreshReports_thenTheLargestLag() {
        Map<String, byte[]> reports = new LinkedHashMap<>();
        reports.put("router-1", new RouterLagReport(120, NOW - 100).encode());
        reports.put("router-2", new RouterLagReport(2_400, NOW - 2_900).encode());
        reports.put("router-3", new RouterLagReport(40, NOW).encode());
        List<String> forget = new ArrayList<>();

        assertThat(FanOutAdmission.worst(reports, NOW, forget)).isEqualTo(2_400);
        assertThat(forget).isEmpty();
    }

    @Test
    void worst_whenAReportIsStale_thenIgnoredAndForgottenOnlyOnceVeryOldOrUnreadable() {
        Map<String, byte[]> reports = new LinkedHashMap<>();
        reports.put("stopped", new RouterLagReport(60_000, NOW - FanOutAdmission.STALE_MS - 1).encode());
        reports.put("gone", new RouterLagReport(60_000, NOW - FanOutAdmission.FORGET_MS - 1).encode());
        reports.put("garbage", "not a report".getBytes(StandardCharsets.US_ASCII));
        reports.put("live", new RouterLagReport(70, NOW - 10).encode());
        List<String> forget = new ArrayList<>();

        assertThat(FanOutAdmission.worst(reports, NOW, forget)).isEqualTo(70);
        assertThat(forget).containsExactly("gone", "garbage");
    }

    @Test
    void worst_whenNoReport_thenZero() {
        assertThat(FanOutAdmission.worst(Map.of(), NOW, new ArrayList<>())).isZero();
    }

    @Test
    void retry_thenTheLagOverHalfTheBoundAndAtLeastTheMinimum() {
        assertThat(FanOutAdmission.retryMs(4_000, 1_000)).isEqualTo(3_500);
        assertThat(FanOutAdmission.retryMs(600, 1_000)).isEqualTo(FanOutAdmission.MIN_RETRY_MS);
    }

    @Test
    void admitted_atOrPastTheBoundNone_belowItTheDrawsUnderTheShare() {
        for (double draw : new double[] {0.0, 0.5, 0.999}) {
            assertThat(FanOutAdmission.admitted(0, 1_000, 1, draw)).isTrue();
            assertThat(FanOutAdmission.admitted(999, 1_000, 1, draw)).isTrue();
            assertThat(FanOutAdmission.admitted(1_000, 1_000, 1, draw)).isFalse();
            assertThat(FanOutAdmission.admitted(60_000, 1_000, 1, draw)).isFalse();
            assertThat(FanOutAdmission.admitted(0, 1_000, 0, draw)).isFalse();
        }
        assertThat(FanOutAdmission.admitted(100, 1_000, 0.3, 0.29)).isTrue();
        assertThat(FanOutAdmission.admitted(100, 1_000, 0.3, 0.3)).isFalse();
    }

    @Test
    void nextShare_withinHalfTheBound_thenRisesToAllAndNoFurther() {
        assertThat(FanOutAdmission.nextShare(0.5, 500, 1_000)).isCloseTo(0.55, within(1e-9));
        assertThat(FanOutAdmission.nextShare(0.98, 0, 1_000)).isEqualTo(1.0);
        assertThat(FanOutAdmission.nextShare(1, 200, 1_000)).isEqualTo(1.0);
    }

    @Test
    void nextShare_overHalfTheBound_thenFallsInProportionToTheLag() {
        assertThat(FanOutAdmission.nextShare(1, 750, 1_000)).isCloseTo(0.95, within(1e-9));
        assertThat(FanOutAdmission.nextShare(0.5, 1_000, 1_000)).isCloseTo(0.45, within(1e-9));
        assertThat(FanOutAdmission.nextShare(0.5, 60_000, 1_000)).isCloseTo(0.45, within(1e-9));
    }

    @Test
    void nextShare_whileTheLagStaysOverHalf_thenKeepsFalling_andComesBackOnceItIsWithin() {
        // a lag held at 800 ms of a 1,000 ms bound, as when more is offered than the routers can route:
        // the share keeps falling (a share that only followed the lag would stay at 40% admitted)
        double share = 1;
        for (int read = 0; read < 40; read++) {
            share = FanOutAdmission.nextShare(share, 800, 1_000);
        }
        assertThat(share).isLessThan(0.1).isPositive();
        for (int read = 0; read < 20; read++) {
            share = FanOutAdmission.nextShare(share, 300, 1_000);
        }
        assertThat(share).isEqualTo(1.0);
    }
}
