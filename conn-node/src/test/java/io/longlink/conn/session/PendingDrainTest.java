package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.device.Push;
import org.junit.jupiter.api.Test;

class PendingDrainTest {
    @Test
    void hold_whenBoundReached_thenRefused() {
        PendingDrain d = new PendingDrain(2, 0);
        assertThat(d.hold(Push.newBuilder().setMessageId(1).build())).isTrue();
        assertThat(d.hold(Push.newBuilder().setMessageId(2).build())).isTrue();
        assertThat(d.hold(Push.newBuilder().setMessageId(3).build())).isFalse();
        assertThat(d.pending()).extracting(Push::getMessageId).containsExactly(1L, 2L);
    }

    @Test
    void wasDrained_whenIdsAscendingIncludingUnsignedHigh_thenFoundByBinarySearch() {
        PendingDrain d = new PendingDrain(1, 0);
        long[] ids = {3, 9, 100, Long.MAX_VALUE, -2L /* 2^64-2 unsigned */};
        for (int i = 0; i < 40; i++) { // force growth past the initial capacity
            d.drained(1000 + i);
        }
        PendingDrain e = new PendingDrain(1, 0);
        for (long id : ids) {
            e.drained(id);
        }
        for (long id : ids) {
            assertThat(e.wasDrained(id)).isTrue();
        }
        assertThat(e.wasDrained(4)).isFalse();
        assertThat(e.wasDrained(-1L)).isFalse();
        assertThat(d.wasDrained(1039)).isTrue();
        assertThat(d.wasDrained(1040)).isFalse();
    }
}
