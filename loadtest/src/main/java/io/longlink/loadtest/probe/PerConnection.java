package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

/**
 * What each connection costs a node, from its measurements empty and full: live heap (class
 * histogram growth), RSS growth, RSS growth outside the heap's address range, and memory (live heap
 * plus that). RSS also holds the heap pages the collector touched for the first time in between,
 * which depends on the collections that ran, not on the connections (docs/benchmarks.md, Scenario
 * idle-connections, "RSS and memory"). All in bytes.
 */
public record PerConnection(double heap, double rss, double nativeRss, double memory) {
    public static PerConnection between(NodeProbe.Snapshot before, NodeProbe.Snapshot after, long connections) {
        requireNonNull(before, "before");
        requireNonNull(after, "after");
        if (connections <= 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: at least 1)");
        }
        double heap = after.histogram().totalGrowth(before.histogram()) / (double) connections;
        double nativeRss = (after.nativeRss() - before.nativeRss()) / (double) connections;
        return new PerConnection(heap, (after.rss() - before.rss()) / (double) connections, nativeRss,
                heap + nativeRss);
    }

    /** The worst of each figure (over several nodes they may come from different ones). */
    public PerConnection max(PerConnection o) {
        return new PerConnection(Math.max(heap, o.heap), Math.max(rss, o.rss), Math.max(nativeRss, o.nativeRss),
                Math.max(memory, o.memory));
    }
}
