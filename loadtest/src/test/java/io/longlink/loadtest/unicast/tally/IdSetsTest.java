package io.longlink.loadtest.unicast.tally;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdSetsTest {
    @Test
    void sortDistinct_whenDuplicatesAndDisorder_thenSortedUniquePrefix() {
        long[] ids = {9, 3, 3, 7, 9, 1, -5};

        int n = IdSets.sortDistinct(ids, ids.length);

        assertThat(n).isEqualTo(5);
        assertThat(java.util.Arrays.copyOf(ids, n)).containsExactly(-5, 1, 3, 7, 9);
    }

    @Test
    void difference_whenSomeAcceptedNeverReceived_thenCountedBothWaysWithExamples() {
        long[] accepted = {1, 2, 3, 4, 5, 6};
        long[] received = {2, 4, 6, 8};

        IdSets.Difference d = IdSets.difference(accepted, accepted.length, received, received.length, 2);

        assertThat(d.onlyInFirst()).isEqualTo(3);
        assertThat(d.onlyInSecond()).isEqualTo(1);
        assertThat(d.examples()).containsExactly(1L, 3L);
    }

    @Test
    void difference_whenEqualSets_thenNothingMissing() {
        long[] a = {10, 20, 30};

        IdSets.Difference d = IdSets.difference(a, 3, a.clone(), 3, 10);

        assertThat(d.onlyInFirst()).isZero();
        assertThat(d.onlyInSecond()).isZero();
        assertThat(d.examples()).isEmpty();
    }

    @Test
    void difference_whenSecondEmpty_thenAllOfFirstMissing() {
        IdSets.Difference d = IdSets.difference(new long[] {1, 2}, 2, new long[0], 0, 10);

        assertThat(d.onlyInFirst()).isEqualTo(2);
        assertThat(d.examples()).containsExactly(1L, 2L);
    }

    @Test
    void difference_whenOnlyPrefixesValid_thenTailIgnored() {
        long[] accepted = {1, 2, 99};
        long[] received = {1, 2, 0};

        IdSets.Difference d = IdSets.difference(accepted, 2, received, 2, 10);

        assertThat(d.onlyInFirst()).isZero();
        assertThat(d.onlyInSecond()).isZero();
    }
}
