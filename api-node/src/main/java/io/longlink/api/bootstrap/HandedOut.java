package io.longlink.api.bootstrap;

import io.longlink.common.discovery.NodeInfo;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Devices this api-node sent to each conn-node since that node last published its load. The
 * published figure is up to {@code conn.load-publish-interval-ms} old: without this count, a burst
 * of asks in between would all be sent to the same least-loaded node. A count starts over when the
 * node publishes a new figure (which holds the devices that connected), or after {@link #MAX_AGE_NANOS}
 * so that devices that never connected are not held against a node for long.
 */
final class HandedOut {
    private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private record Count(long publishedLoad, long sent, long sinceNanos) {
    }

    private final ConcurrentHashMap<String, Count> counts = new ConcurrentHashMap<>();

    /** The node's published load plus the devices sent to it since. */
    long estimate(NodeInfo node, long nowNanos) {
        Count c = counts.get(node.id());
        return node.load() + (current(c, node, nowNanos) ? c.sent() : 0);
    }

    /** One device was told to connect to {@code node} first. */
    void sentTo(NodeInfo node, long nowNanos) {
        counts.compute(node.id(), (id, c) -> current(c, node, nowNanos)
                ? new Count(c.publishedLoad(), c.sent() + 1, c.sinceNanos()) : new Count(node.load(), 1, nowNanos));
    }

    private static boolean current(Count c, NodeInfo node, long nowNanos) {
        return c != null && c.publishedLoad() == node.load() && nowNanos - c.sinceNanos() < MAX_AGE_NANOS;
    }
}
