package io.longlink.api.quota;

import static org.assertj.core.api.Assertions.assertThat;

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
    void admitted_upToHalfTheBoundAll_pastTheBoundNone_betweenAShareFallingWithTheLag() {
        for (double draw : new double[] {0.0, 0.5, 0.999}) {
            assertThat(FanOutAdmission.admitted(0, 1_000, draw)).isTrue();
            assertThat(FanOutAdmission.admitted(500, 1_000, draw)).isTrue();
            assertThat(FanOutAdmission.admitted(1_000, 1_000, draw)).isFalse();
            assertThat(FanOutAdmission.admitted(60_000, 1_000, draw)).isFalse();
        }
        // at 750 ms of a 1,000 ms bound half are refused: draws below 0.5
        assertThat(FanOutAdmission.admitted(750, 1_000, 0.49)).isFalse();
        assertThat(FanOutAdmission.admitted(750, 1_000, 0.5)).isTrue();
        // at 900 ms, 80%
        assertThat(FanOutAdmission.admitted(900, 1_000, 0.79)).isFalse();
        assertThat(FanOutAdmission.admitted(900, 1_000, 0.81)).isTrue();
    }
}
