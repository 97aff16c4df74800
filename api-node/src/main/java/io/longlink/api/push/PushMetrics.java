package io.longlink.api.push;

import io.grpc.Status;
import io.longlink.common.admin.Metrics;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;
import java.util.function.IntSupplier;

/**
 * What PushBatch does inside its calls. {@code longlink_api_calls_total{method="PushBatch"}} counts
 * a batch once, and OK even when some of its entries were refused; this counts the entries by the
 * status code of their result, as {@code longlink_api_calls_total{method="Push"}} counts unary pushes.
 */
final class PushMetrics {
    private final Counter entries;
    private final Counter.Child[] byCode = new Counter.Child[Status.Code.values().length];
    private final Histogram.Child batchSize;
    private final Counter.Child refused;

    PushMetrics(CollectorRegistry registry) {
        entries = Counter.build("longlink_api_batch_pushes_total",
                "Pushes inside PushBatch calls by gRPC status code of their result (OK = accepted)")
                .labelNames("code").register(registry);
        batchSize = Histogram.build("longlink_api_batch_size", "Entries per PushBatch call")
                .buckets(1, 10, 50, 100, 250, 500, 1000).register(registry).labels();
        refused = Counter.build("longlink_api_pushes_refused_total",
                "Pushes refused with RESOURCE_EXHAUSTED because api.max-inflight-pushes were awaiting Kafka")
                .register(registry).labels();
    }

    /** Registers a gauge of the pushes awaiting Kafka's acknowledgement. */
    void inFlight(IntSupplier pushes, CollectorRegistry registry) {
        Metrics.gauge(registry, "longlink_api_pushes_in_flight",
                "Pushes accepted for processing and not yet answered (at most api.max-inflight-pushes)",
                pushes::getAsInt);
    }

    void refused(int pushes) {
        refused.inc(pushes);
    }

    void batch(int size) {
        batchSize.observe(size);
    }

    void entry(Status.Code code) {
        Counter.Child c = byCode[code.ordinal()];
        if (c == null) {
            // a benign race: labels() answers the same child to every thread
            c = entries.labels(code.name());
            byCode[code.ordinal()] = c;
        }
        c.inc();
    }
}
