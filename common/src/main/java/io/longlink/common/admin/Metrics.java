package io.longlink.common.admin;

import io.netty.util.internal.PlatformDependent;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Gauge;
import io.prometheus.client.hotspot.DefaultExports;

/** The metrics every node exports besides its own: JVM, GC, buffer pools and Netty's direct memory. */
public final class Metrics {
    private Metrics() {
    }

    public static CollectorRegistry newNodeRegistry(String role, String nodeId) {
        CollectorRegistry registry = new CollectorRegistry(true);
        DefaultExports.register(registry);
        Gauge direct = Gauge.build("longlink_netty_direct_memory_bytes",
                "Direct memory reserved by Netty's allocator (not visible to NMT on JDK 25)").create();
        direct.setChild(new Gauge.Child() {
            @Override
            public double get() {
                return PlatformDependent.usedDirectMemory();
            }
        });
        direct.register(registry);
        Gauge.build("longlink_node_info", "Constant 1, labelled with the node's role and id")
                .labelNames("role", "node_id")
                .register(registry)
                .labels(role, nodeId)
                .set(1);
        return registry;
    }
}
