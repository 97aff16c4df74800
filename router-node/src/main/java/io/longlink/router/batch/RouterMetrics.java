package io.longlink.router.batch;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

/** The router's own metrics. */
public final class RouterMetrics {
    public final Counter commands;
    public final Counter deliveries;
    public final Counter fanOuts;
    public final Counter redrains;
    public final Counter batches;
    public final Histogram batchSeconds;
    public final Counter commits;
    public final Counter inboxDropped;
    public final Counter logTrimmed;
    public final Gauge consumerLag;

    public RouterMetrics(CollectorRegistry registry) {
        commands = Counter.build("longlink_router_commands_total",
                "Push commands consumed, by result (routed, revoked, unreadable)")
                .labelNames("result").register(registry);
        deliveries = Counter.build("longlink_router_deliveries_total",
                "Device deliveries, by outcome (acked: acknowledged within router.ack-wait-ms, written, not_here,"
                        + " stale_route, rejected, failed, offline)")
                .labelNames("outcome").register(registry);
        redrains = Counter.build("longlink_router_redrains_total",
                "Re-drains of devices whose copy failed to be delivered, by event: marked (device marked dirty"
                        + " once the copy was in its inbox), cleared (a delivery with redrain was answered),"
                        + " overflowed (a link's set of dirty devices was full), sent and failed (redrain-only"
                        + " deliveries sent in the background, and those whose batch failed)")
                .labelNames("event").register(registry);
        fanOuts = Counter.build("longlink_router_fanouts_total",
                "FanOuts to conn-nodes, by result: ok (answered), retried (an attempt failed and is made again),"
                        + " failed (still failing after router.fanout-retry-ms, or an online-only one not tried again),"
                        + " given_up (the node left membership)").labelNames("result").register(registry);
        batches = Counter.build("longlink_router_batches_total",
                "Polled batches, by result (committed, retried)").labelNames("result").register(registry);
        batchSeconds = Histogram.build("longlink_router_batch_seconds", "Time to route one polled batch")
                .buckets(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
        commits = Counter.build("longlink_router_offset_commits_total",
                "Asynchronous offset commits sent (at most one per router.commit-interval-ms)").register(registry);
        inboxDropped = Counter.build("longlink_router_inbox_dropped_total",
                "Inbox copies removed by router.inbox-max before delivery (messages whose body still existed)")
                .register(registry);
        logTrimmed = Counter.build("longlink_router_broadcast_log_trimmed_total",
                "Broadcast-log entries removed by router.broadcast-log-max before their TTL ended").register(registry);
        consumerLag = Gauge.build("longlink_router_consumer_lag_records",
                "Commands in this router's partitions past what it has polled (the consumer's view, once a second)")
                .register(registry);
    }
}
