package io.longlink.router;

import io.longlink.common.config.Setting;
import io.longlink.common.lifecycle.NodeSettings;
import java.util.List;

/** Every router-node setting. */
public final class RouterSettings {
    public static final Setting<Integer> ADMIN_PORT = Setting.port("admin.port", 9110,
            "Admin HTTP port (/metrics, /healthz, /readyz)");
    public static final Setting<String> CONSUMER_GROUP = Setting.string("router.consumer-group", "longlink-routers",
            "Kafka consumer group shared by all router-nodes");
    public static final Setting<Integer> COMMAND_PARTITIONS = Setting.intRange("router.command-partitions", 12, 1,
            10_000, "Partitions of the command topic when a router creates it (the most routers that share work)");
    public static final Setting<Integer> RECEIPT_PARTITIONS = Setting.intRange("router.receipt-partitions", 12, 1,
            10_000, "Partitions of the receipt topic when a router creates it");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.intRange("router.topic-replication-factor", -1,
            -1, 32, "Replication factor of topics a router creates; -1 = the broker's default.replication.factor");
    public static final Setting<Integer> MAX_POLL_RECORDS = Setting.intRange("router.max-poll-records", 2_000, 1,
            10_000, "Commands handled per batch (one Redis round trip for routes and inboxes)");
    public static final Setting<Integer> COMMIT_INTERVAL_MS = Setting.intRange("router.commit-interval-ms", 200, 0,
            10_000, "Least time between two offset commits of one router (0 = commit after every batch); each"
                    + " commit claims only batches fully handled. Longer means fewer commit requests to Kafka and more"
                    + " commands routed again (and dropped as duplicates by the devices) after a router crash");
    public static final Setting<Integer> BATCH_MAX_TARGETS = Setting.intRange("router.batch-max-targets", 10_000, 100,
            1_000_000, "Devices (or aliases, before expansion) handled per round within a batch; bounds memory");
    public static final Setting<Integer> INBOX_MAX = Setting.intRange("router.inbox-max", 100, 1, 100_000,
            "Messages one device's inbox holds; beyond, the earliest accepted is dropped before delivery (counted"
                    + " as dropped on its status, with a DROPPED receipt)");
    public static final Setting<Integer> BROADCAST_LOG_MAX = Setting.intRange("router.broadcast-log-max", 100_000, 1,
            10_000_000, "Tag and broadcast messages with a TTL kept per app for devices that connect later; size it"
                    + " as the app's fan-out rate x its longest TTL (about 100 B of Redis per entry). Beyond, the"
                    + " earliest entry is trimmed (log_trimmed_ms on its status, a DROPPED receipt)");
    public static final Setting<Integer> DELIVER_BATCH_MAX = Setting.intRange("router.deliver-batch-max", 512, 1,
            10_000, "Deliveries per DeliveryBatch sent to a conn-node");
    public static final Setting<Integer> DELIVER_MAX_INFLIGHT = Setting.intRange("router.deliver-max-inflight", 8, 1,
            1_024, "DeliveryBatches awaiting their result per conn-node, at most conn.deliver-window; more are not"
                    + " sent (they stay in the inbox)");
    public static final Setting<Integer> FANOUT_MAX_INFLIGHT = Setting.intRange("router.fanout-max-inflight", 4, 1,
            1_024, "FanOut calls running per conn-node (more wait their turn); all routers together should stay"
                    + " within conn.fanout-max-concurrent");
    public static final Setting<Integer> DELIVER_TIMEOUT_MS = Setting.intRange("router.deliver-timeout-ms", 3_000, 100,
            120_000, "How long a conn-node may take to answer a DeliveryBatch before it counts as not delivered");
    public static final Setting<Integer> ACK_WAIT_MS = Setting.intRange("router.ack-wait-ms", 250, 0, 10_000,
            "How long a conn-node waits for the device's ACK of a live copy of a TTL > 0 unicast before it answers;"
                    + " a copy acknowledged in time is never written to the inbox (nor its body to Redis), the others are"
                    + " written after the answer (0 = write every copy to the inbox before delivering it). Each round"
                    + " of a batch may take this long when a device does not answer");
    public static final Setting<Integer> FANOUT_TIMEOUT_MS = Setting.intRange("router.fanout-timeout-ms", 5_000, 100,
            120_000, "Deadline of a FanOut call to one conn-node, plus the push's spread_ms");
    public static final Setting<Integer> FANOUT_RETRY_MS = Setting.intRange("router.fanout-retry-ms", 30_000, 0,
            600_000, "How long a FanOut that failed (refused, unavailable, not answered in time) is tried again for"
                    + " one conn-node, with backoff (100 ms doubling to 2 s), while the node is in membership; still"
                    + " failing then, its batch is not committed and is routed again. A node that left membership"
                    + " is given up (its devices reconnect elsewhere and replay the broadcast log). An online-only"
                    + " (TTL 0) FanOut is tried again only when refused unexecuted, and never holds its batch back");
    public static final Setting<Integer> LINK_RETRY_MS = Setting.intRange("router.link-retry-ms", 1_000, 10, 60_000,
            "After a conn-node's Deliver stream failed, how long before it is opened again; also the first wait"
                    + " before a device whose copy failed is sent a redrain-only delivery (doubling up to 10 s while"
                    + " unanswered)");
    public static final Setting<Integer> RETRY_BACKOFF_MS = Setting.intRange("router.retry-backoff-ms", 500, 10,
            60_000, "First wait before a failed batch (Redis unreachable) is handled again; doubles up to"
                    + " router.retry-backoff-max-ms");
    public static final Setting<Integer> RETRY_BACKOFF_MAX_MS = Setting.intRange("router.retry-backoff-max-ms", 2_000,
            10, 300_000, "Longest wait before a failed batch is handled again: a Redis that returns is used within"
                    + " this");
    public static final Setting<Integer> CONSUMER_SESSION_TIMEOUT_MS = Setting.intRange(
            "router.consumer-session-timeout-ms", 6_000, 6_000, 300_000, "How long the consumer group waits for a"
                    + " router that stopped answering (killed, frozen, cut off) before its partitions go to another"
                    + " router; at least the broker's group.min.session.timeout.ms (6000 by default)");
    public static final Setting<Boolean> STORED_RECEIPTS = Setting.bool("router.stored-receipts", true,
            "Write a STORED receipt for each device a message could not reach live and was kept in its inbox"
                    + " (DROPPED receipts, for messages a size bound removed, are always written)");

    private RouterSettings() {
    }

    public static List<Setting<?>> all() {
        return NodeSettings.forRole(ADMIN_PORT, List.of(CONSUMER_GROUP, COMMAND_PARTITIONS, RECEIPT_PARTITIONS,
                REPLICATION_FACTOR, MAX_POLL_RECORDS, COMMIT_INTERVAL_MS, BATCH_MAX_TARGETS, INBOX_MAX,
                BROADCAST_LOG_MAX, DELIVER_BATCH_MAX, DELIVER_MAX_INFLIGHT, FANOUT_MAX_INFLIGHT, DELIVER_TIMEOUT_MS,
                ACK_WAIT_MS, FANOUT_TIMEOUT_MS, FANOUT_RETRY_MS, LINK_RETRY_MS,
                RETRY_BACKOFF_MS, RETRY_BACKOFF_MAX_MS, CONSUMER_SESSION_TIMEOUT_MS, STORED_RECEIPTS));
    }
}
