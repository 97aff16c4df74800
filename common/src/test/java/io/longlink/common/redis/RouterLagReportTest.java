package io.longlink.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RouterLagReportTest {
    @Test
    void encode_thenParsedBackTheSame() {
        RouterLagReport r = new RouterLagReport(1_234, 1_796_000_000_000L);
        assertThat(new String(r.encode(), StandardCharsets.US_ASCII)).isEqualTo("1234:1796000000000");
        assertThat(RouterLagReport.parse(r.encode())).isEqualTo(r);
    }

    @Test
    void parse_whenNotAReport_thenNull() {
        for (String bad : new String[] {"", ":", "12", "12:", ":34", "a:1", "1:b", "-1:5", "1:-5", "1:2:3",
            "99999999999999999999:1"}) {
            assertThat(RouterLagReport.parse(bad.getBytes(StandardCharsets.US_ASCII))).as(bad).isNull();
        }
        assertThat(RouterLagReport.parse(null)).isNull();
    }

    @Test
    void construct_whenNegative_thenRefused() {
        assertThatThrownBy(() -> new RouterLagReport(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("behindMs -1");
    }
}
