package io.longlink.loadtest.unicast.tally;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Set arithmetic on message ids held as sorted primitive arrays: no boxing for millions of ids. */
public final class IdSets {
    private IdSets() {
    }

    /** Sorts {@code ids[0..n)} in place and returns how many distinct values now lead the array. */
    public static int sortDistinct(long[] ids, int n) {
        requireNonNull(ids, "ids");
        if (n < 0 || n > ids.length) {
            throw new IllegalArgumentException("n: " + n + " (expected: 0.." + ids.length + ")");
        }
        Arrays.sort(ids, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || ids[distinct - 1] != ids[i]) {
                ids[distinct++] = ids[i];
            }
        }
        return distinct;
    }

    /**
     * How two id sets differ.
     *
     * @param onlyInFirst  ids of the first set missing from the second
     * @param onlyInSecond ids of the second set missing from the first
     * @param examples     up to {@code maxExamples} of the first kind, smallest first
     */
    public record Difference(long onlyInFirst, long onlyInSecond, List<Long> examples) {
        public Difference {
            examples = List.copyOf(examples);
        }
    }

    /** Compares {@code a[0..na)} and {@code b[0..nb)}, both sorted and distinct (see {@link #sortDistinct}). */
    public static Difference difference(long[] a, int na, long[] b, int nb, int maxExamples) {
        requireNonNull(a, "a");
        requireNonNull(b, "b");
        long onlyA = 0;
        long onlyB = 0;
        List<Long> examples = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < na || j < nb) {
            if (j == nb || (i < na && a[i] < b[j])) {
                if (examples.size() < maxExamples) {
                    examples.add(a[i]);
                }
                onlyA++;
                i++;
            } else if (i == na || b[j] < a[i]) {
                onlyB++;
                j++;
            } else {
                i++;
                j++;
            }
        }
        return new Difference(onlyA, onlyB, examples);
    }
}
