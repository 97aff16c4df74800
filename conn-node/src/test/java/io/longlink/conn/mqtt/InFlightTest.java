package io.longlink.conn.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InFlightTest {
    @Test
    void add_whenSlotsFree_thenDistinctPacketIdsThatMapBack() {
        InFlight f = new InFlight(100);
        int a = f.add(11);
        int b = f.add(12);

        assertThat(a).isNotEqualTo(b).isPositive();
        assertThat(f.remove(b)).isEqualTo(12);
        assertThat(f.remove(b)).isZero(); // a second PUBACK of the same id acknowledges nothing
        assertThat(f.remove(a)).isEqualTo(11);
        assertThat(f.isEmpty()).isTrue();
    }

    @Test
    void add_whenLimitReached_thenZeroUntilOneIsRemoved() {
        InFlight f = new InFlight(20); // grows from 8 slots to 16, then 20
        int[] ids = new int[20];
        for (int i = 0; i < 20; i++) {
            ids[i] = f.add(1_000 + i);
        }

        assertThat(ids).doesNotHaveDuplicates().containsOnly(java.util.stream.IntStream.rangeClosed(1, 20).toArray());
        assertThat(f.add(5_000)).isZero();
        assertThat(f.remove(ids[7])).isEqualTo(1_007);
        assertThat(f.add(5_000)).isEqualTo(ids[7]);
        assertThat(f.size()).isEqualTo(20);
    }

    @Test
    void remove_whenPacketIdOutOfRange_thenZero() {
        InFlight f = new InFlight(4);
        f.add(1);

        assertThat(f.remove(0)).isZero();
        assertThat(f.remove(65_535)).isZero();
        assertThat(f.add(0)).isZero(); // message id 0 is never tracked
    }

    @Test
    void new_whenLimitOutOfRange_thenRefused() {
        assertThatThrownBy(() -> new InFlight(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InFlight(65_536)).isInstanceOf(IllegalArgumentException.class);
    }
}
