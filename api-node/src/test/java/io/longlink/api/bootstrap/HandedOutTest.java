package io.longlink.api.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.discovery.NodeInfo;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandedOutTest {
    private static final long T0 = 1_000_000_000L;

    private static NodeInfo node(long load) {
        return new NodeInfo("conn-1", "conn", Map.of("device", "127.0.0.1:7000"), load);
    }

    @Test
    void estimate_whenDevicesSentSinceThePublishedFigure_thenAddedToIt() {
        HandedOut h = new HandedOut();
        h.sentTo(node(100), T0);
        h.sentTo(node(100), T0 + 1);

        assertThat(h.estimate(node(100), T0 + 2)).isEqualTo(102);
    }

    @Test
    void estimate_whenNodePublishesANewFigure_thenCountStartsOver() {
        HandedOut h = new HandedOut();
        h.sentTo(node(100), T0);
        h.sentTo(node(100), T0);

        assertThat(h.estimate(node(102), T0 + 1)).isEqualTo(102);
        h.sentTo(node(102), T0 + 1);
        assertThat(h.estimate(node(102), T0 + 2)).isEqualTo(103);
    }

    @Test
    void estimate_whenCountOlderThanItsMaximumAge_thenOnlyThePublishedFigure() {
        HandedOut h = new HandedOut();
        h.sentTo(node(5), T0);

        assertThat(h.estimate(node(5), T0 + TimeUnit.SECONDS.toNanos(29))).isEqualTo(6);
        assertThat(h.estimate(node(5), T0 + TimeUnit.SECONDS.toNanos(30))).isEqualTo(5);
    }
}
