package io.longlink.sdk.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageDeduplicatorTest {

    @Test
    void firstSeen_whenSameIdTwice_thenOnlyFirstIsNew() {
        MessageDeduplicator dedup = new MessageDeduplicator(8, 0);
        assertThat(dedup.firstSeen(10)).isTrue();
        assertThat(dedup.firstSeen(10)).isFalse();
        assertThat(dedup.firstSeen(11)).isTrue();
        assertThat(dedup.highest()).isEqualTo(11);
    }

    @Test
    void firstSeen_whenIdsArriveOutOfOrderWithinCapacity_thenEachNewOnce() {
        MessageDeduplicator dedup = new MessageDeduplicator(8, 0);
        for (long id : new long[] {5, 3, 9, 1}) {
            assertThat(dedup.firstSeen(id)).as("id %d", id).isTrue();
        }
        for (long id : new long[] {1, 3, 5, 9}) {
            assertThat(dedup.firstSeen(id)).as("id %d again", id).isFalse();
        }
        assertThat(dedup.highest()).isEqualTo(9);
    }

    @Test
    void firstSeen_whenIdLowerThanEvictedOnesArrivesLate_thenNew() {
        // Inbox drain and log replay go by acceptance order and ids come from several clocks: a lower
        // id arriving after higher ones were evicted is a message the app has not seen.
        MessageDeduplicator dedup = new MessageDeduplicator(4, 0);
        for (long id = 10; id <= 15; id++) {
            assertThat(dedup.firstSeen(id)).isTrue();
        }
        assertThat(dedup.size()).isEqualTo(4);
        assertThat(dedup.firstSeen(5)).as("never seen, lower than the evicted 10 and 11").isTrue();
        assertThat(dedup.firstSeen(5)).as("remembered now").isFalse();
        assertThat(dedup.highest()).isEqualTo(15);
    }

    @Test
    void firstSeen_whenIdEvictedFromTheRing_thenForgotten() {
        MessageDeduplicator dedup = new MessageDeduplicator(2, 0);
        dedup.firstSeen(1);
        dedup.firstSeen(2);
        dedup.firstSeen(3);
        assertThat(dedup.firstSeen(2)).as("still in the ring").isFalse();
        assertThat(dedup.firstSeen(1)).as("evicted: only the ring counts").isTrue();
        assertThat(dedup.size()).isEqualTo(2);
    }

    @Test
    void firstSeen_whenIdsUseTheTopBit_thenComparedUnsigned() {
        MessageDeduplicator dedup = new MessageDeduplicator(2, 0);
        long big = 0x8000_0000_0000_0001L;
        assertThat(dedup.firstSeen(5)).isTrue();
        assertThat(dedup.firstSeen(big)).isTrue();
        assertThat(dedup.highest()).isEqualTo(big);
        assertThat(dedup.firstSeen(big + 1)).isTrue();
        assertThat(dedup.firstSeen(big + 2)).isTrue();
        assertThat(dedup.highest()).isEqualTo(big + 2);
    }

    @Test
    void firstSeen_whenRandomTrafficAgainstAModel_thenSameAnswers() {
        // The open-addressing table with backward-shift deletion must agree with a plain set + queue.
        int capacity = 64;
        MessageDeduplicator dedup = new MessageDeduplicator(capacity, 0);
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Long> order = new ArrayDeque<>();
        Random random = new Random(11);
        long base = 1_000;
        for (int i = 0; i < 50_000; i++) {
            base += random.nextInt(3);
            long id = base + random.nextInt(200) - 100;
            if (id <= 0) {
                continue;
            }
            boolean expected = !seen.contains(id);
            if (expected) {
                if (order.size() == capacity) {
                    seen.remove(order.removeFirst());
                }
                order.addLast(id);
                seen.add(id);
            }
            assertThat(dedup.firstSeen(id)).as("step %d id %d", i, id).isEqualTo(expected);
        }
    }

    @Test
    void highest_whenRestoredFromEarlierRun_thenReportedUntilExceeded() {
        MessageDeduplicator dedup = new MessageDeduplicator(8, 500);
        assertThat(dedup.highest()).isEqualTo(500);
        assertThat(dedup.firstSeen(400)).as("the restored id is not a dedup floor").isTrue();
        assertThat(dedup.highest()).isEqualTo(500);
        dedup.firstSeen(501);
        assertThat(dedup.highest()).isEqualTo(501);
    }

    @Test
    void firstSeen_whenIdZeroOrBadCapacity_thenClearErrors() {
        MessageDeduplicator dedup = new MessageDeduplicator(8, 0);
        assertThatThrownBy(() -> dedup.firstSeen(0)).hasMessage("message id 0 is not a valid id");
        assertThatThrownBy(() -> new MessageDeduplicator(0, 0)).hasMessage("capacity: 0 (expected 1..16777216)");
    }
}
