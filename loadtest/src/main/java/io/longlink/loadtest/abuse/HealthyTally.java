package io.longlink.loadtest.abuse;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.unicast.tally.IdSets;
import io.longlink.loadtest.unicast.tally.LatencyHistogram;
import java.util.Arrays;

/** The healthy devices' recorders merged, and what they show against the ids the API accepted. */
final class HealthyTally {
    private final LatencyHistogram baseline;
    private final LatencyHistogram attack;
    // guarded by this: recorders are merged from their own loops, several at once
    private long[] ids = new long[0];
    private int idCount;
    private long refused;
    private final long[] worstBySecond = new long[HealthyRecorder.SECONDS];

    HealthyTally(long highestMs) {
        this.baseline = new LatencyHistogram(highestMs);
        this.attack = new LatencyHistogram(highestMs);
    }

    /** Merges one recorder; call it on the recorder's own loop. */
    synchronized void add(HealthyRecorder r) {
        requireNonNull(r, "r");
        if (idCount + r.ids.size() > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(idCount + r.ids.size(), 2 * ids.length));
        }
        idCount = r.ids.copyInto(ids, idCount);
        refused += r.ids.refused();
        baseline.add(r.baseline);
        attack.add(r.attack);
        for (int i = 0; i < worstBySecond.length; i++) {
            worstBySecond[i] = Math.max(worstBySecond[i], r.worstBySecond[i]);
        }
    }

    /** The worst latency of the pushes sent in each second from {@code fromMs} to {@code toMs}, in order. */
    synchronized long[] worstPerSecond(long fromMs, long toMs) {
        int n = (int) Math.min(HealthyRecorder.SECONDS, Math.max(0, (toMs - fromMs) / 1_000));
        long[] worst = new long[n];
        for (int i = 0; i < n; i++) {
            worst[i] = worstBySecond[(int) Math.floorMod(fromMs / 1_000 + i, (long) HealthyRecorder.SECONDS)];
        }
        return worst;
    }

    /** Pushes received, duplicates included. */
    synchronized long received() {
        return idCount;
    }

    /** The figures against {@code accepted} (sorted in place). */
    synchronized Report report(long[] accepted) {
        requireNonNull(accepted, "accepted");
        long[] received = Arrays.copyOf(ids, idCount);
        int distinct = IdSets.sortDistinct(received, received.length);
        int acceptedDistinct = IdSets.sortDistinct(accepted, accepted.length);
        IdSets.Difference diff = IdSets.difference(accepted, acceptedDistinct, received, distinct, 10);
        return new Report(idCount, idCount - distinct, acceptedDistinct, diff.onlyInFirst(), diff.onlyInSecond(),
                refused, Latency.of(baseline), Latency.of(attack));
    }

    /** Quantiles in ms; -1 when nothing was recorded. */
    record Latency(long count, long p50Ms, long p99Ms, long maxMs) {
        static Latency of(LatencyHistogram h) {
            return new Latency(h.count(), h.quantile(0.50), h.quantile(0.99), h.count() == 0 ? -1 : h.max());
        }
    }

    /**
     * @param lost       accepted and never received
     * @param unexpected received and never accepted (a call that timed out after the API had it)
     * @param refused    ids a recorder could not keep (over its planned capacity)
     */
    record Report(long received, long duplicates, long accepted, long lost, long unexpected, long refused,
                  Latency baseline, Latency attack) {
    }
}
