package io.longlink.loadtest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LongSetTest {
    @Test
    void add_whenIdsRepeatAcrossGrowth_thenTrueOnlyForTheFirstOfEach() {
        LongSet set = new LongSet(4);
        Set<Long> reference = new HashSet<>();
        Random random = new Random(7);
        for (int i = 0; i < 50_000; i++) {
            long id = 1 + random.nextInt(20_000) * 0x1_0000_0000L + random.nextInt(3);
            assertThat(set.add(id)).as("id %d", id).isEqualTo(reference.add(id));
        }
        assertThat(set.size()).isEqualTo(reference.size());
    }

    @Test
    void add_whenNegativeIds_thenHeldLikeAnyOther() {
        LongSet set = new LongSet(1);
        assertThat(set.add(-1)).isTrue();
        assertThat(set.add(Long.MIN_VALUE)).isTrue();
        assertThat(set.add(-1)).isFalse();
        assertThat(set.size()).isEqualTo(2);
    }

    @Test
    void add_whenZero_thenRefused() {
        assertThatThrownBy(() -> new LongSet(1).add(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }
}
