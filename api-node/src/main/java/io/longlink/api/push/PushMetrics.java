package io.longlink.api.push;

import io.grpc.Status;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;

/**
 * What PushBatch does inside its calls. {@code longlink_api_calls_total{method="PushBatch"}} counts
 * a batch once, and OK even when some of its entries were refused; this counts the entries by the
 * status code of their result, as {@code longlink_api_calls_total{method="Push"}} counts unary pushes.
 */
final class PushMetrics {
    private final Counter entries;
    private final Counter.Child[] byCode = new Counter.Child[Status.Code.values().length];
    private final Histogram.Child batchSize;

    PushMetrics(CollectorRegistry registry) {
        entries = Counter.build("longlink_api_batch_pushes_total",
                "Pushes inside PushBatch calls by gRPC status code of their result (OK = accepted)")
                .labelNames("code").register(registry);
        batchSize = Histogram.build("longlink_api_batch_size", "Entries per PushBatch call")
                .buckets(1, 10, 50, 100, 250, 500, 1000).register(registry).labels();
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
