package io.longlink.common.admin;

import io.netty.util.internal.PlatformDependent;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Gauge;
import io.prometheus.client.hotspot.DefaultExports;
import java.util.function.DoubleSupplier;

/** The metrics every node exports besides its own: JVM, GC, buffer pools and Netty's direct memory. */
public final class Metrics {
    private Metrics() {
    }

    public static CollectorRegistry newNodeRegistry(String role, String nodeId) {
        CollectorRegistry registry = new CollectorRegistry(true);
        DefaultExports.register(registry);
        gauge(registry, "longlink_netty_direct_memory_bytes",
                "Direct memory reserved by Netty's allocator (not visible to NMT on JDK 25)",
                PlatformDependent::usedDirectMemory);
        Gauge.build("longlink_node_info", "Constant 1, labelled with the node's role and id")
                .labelNames("role", "node_id")
                .register(registry)
                .labels(role, nodeId)
                .set(1);
        return registry;
    }

    /** Registers a gauge whose value is read from {@code value} at every scrape. */
    public static void gauge(CollectorRegistry registry, String name, String help, DoubleSupplier value) {
        Gauge g = Gauge.build(name, help).create();
        g.setChild(new Gauge.Child() {
            @Override
            public double get() {
                return value.getAsDouble();
            }
        });
        g.register(registry);
    }
}
