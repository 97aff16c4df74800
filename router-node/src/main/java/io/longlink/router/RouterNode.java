package io.longlink.router;

import io.longlink.common.admin.Metrics;
import io.longlink.common.config.Config;
import io.longlink.common.discovery.Membership;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisSettings;
import io.longlink.common.redis.RedisStore;
import io.longlink.router.batch.BatchRouter;
import io.longlink.router.batch.RouterMetrics;
import io.longlink.router.consume.CommandConsumer;
import io.longlink.router.consume.Topics;
import io.longlink.router.deliver.ConnNodeLinks;
import io.longlink.router.receipt.ReceiptWriter;
import io.longlink.router.store.LagReporter;
import io.longlink.router.store.RoutingStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;

/** The router-node: consumes push commands and forwards them to the conn-nodes that hold the devices. */
public final class RouterNode extends BaseNode {
    public static final String ROLE = "router";
    private static final String CONN_ROLE = "conn";
    /** How often the router's lag is written to Redis for the api-nodes' fan-out admission. */
    public static final long LAG_REPORT_MS = 250;

    private RedisStore redis;
    private Membership connNodes;
    private ConnNodeLinks links;
    private ReceiptWriter receipts;
    private CommandConsumer consumer;
    private LagReporter lagReporter;

    public RouterNode(Config config) {
        super(ROLE, config, RouterSettings.ADMIN_PORT);
    }

    @Override
    protected void startRole(CuratorFramework zk) throws Exception {
        String bootstrap = config.get(KafkaSettings.BOOTSTRAP);
        int kafkaTimeout = config.get(KafkaSettings.START_TIMEOUT_MS);
        KafkaSettings.checkReachable(bootstrap, kafkaTimeout);
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(config.get(KafkaSettings.COMMAND_TOPIC), config.get(RouterSettings.COMMAND_PARTITIONS));
        topics.put(config.get(KafkaSettings.RECEIPT_TOPIC), config.get(RouterSettings.RECEIPT_PARTITIONS));
        Topics.ensure(bootstrap, topics, config.get(RouterSettings.REPLICATION_FACTOR), kafkaTimeout);

        int redisTimeout = config.get(RedisSettings.TIMEOUT_MS);
        redis = RedisStore.open(config);
        RoutingStore store = new RoutingStore(redis);
        store.loadScripts(redisTimeout);
        connNodes = new Membership(zk, CONN_ROLE);
        RouterMetrics routerMetrics = new RouterMetrics(metrics);
        links = new ConnNodeLinks(connNodes, config.get(RouterSettings.DELIVER_MAX_INFLIGHT),
                config.get(RouterSettings.FANOUT_MAX_INFLIGHT), config.get(RouterSettings.DELIVER_TIMEOUT_MS),
                config.get(RouterSettings.LINK_RETRY_MS), (event, n) -> routerMetrics.redrains.labels(event).inc(n),
                internalTls());
        connNodes.start();
        receipts = new ReceiptWriter(bootstrap, config.get(KafkaSettings.RECEIPT_TOPIC), nodeId,
                config.get(RouterSettings.STORED_RECEIPTS));
        BatchRouter router = new BatchRouter(store, links, receipts,
                routerMetrics, System::currentTimeMillis,
                new BatchRouter.Limits(config.get(RouterSettings.BATCH_MAX_TARGETS), config.get(RouterSettings.INBOX_MAX),
                        config.get(RouterSettings.BROADCAST_LOG_MAX), config.get(RouterSettings.DELIVER_BATCH_MAX),
                        config.get(RouterSettings.DELIVER_TIMEOUT_MS), config.get(RouterSettings.FANOUT_TIMEOUT_MS),
                        config.get(RouterSettings.FANOUT_RETRY_MS), config.get(RouterSettings.FANOUT_MAX_INFLIGHT),
                        redisTimeout,
                        config.get(RouterSettings.ACK_WAIT_MS)));
        Metrics.gauge(metrics, "longlink_router_behind_ms", "How far behind this router routes: the age since"
                + " acceptance of the oldest push of its round in progress or of its last second's rounds (the"
                + " api-nodes refuse fan-outs past api.fanout-max-lag-ms)", router.lag()::behindMs);
        lagReporter = new LagReporter(redis, config.get(KafkaSettings.COMMAND_TOPIC), nodeId, router.lag()::behindMs,
                System::currentTimeMillis, LAG_REPORT_MS);
        consumer = new CommandConsumer(bootstrap, config.get(RouterSettings.CONSUMER_GROUP),
                config.get(KafkaSettings.COMMAND_TOPIC), "longlink-router-" + nodeId, router, store, routerMetrics,
                new CommandConsumer.Tuning(config.get(RouterSettings.MAX_POLL_RECORDS),
                        config.get(RouterSettings.RETRY_BACKOFF_MS), config.get(RouterSettings.RETRY_BACKOFF_MAX_MS),
                        redisTimeout, config.get(RouterSettings.COMMIT_INTERVAL_MS),
                        config.get(RouterSettings.CONSUMER_SESSION_TIMEOUT_MS)));
        // registration follows startRole: the consumer joins the group once it is done
        consumer.start(membership()::ours);
    }

    /** Ready once registered and the consumer received its first partition assignment (maybe empty). */
    @Override
    public boolean isReady() {
        // BaseNode's ready flag is written after startRole: once it is read true, so is consumer
        return super.isReady() && consumer != null && consumer.assigned();
    }

    /** Conn-nodes this router has a link to now. */
    public int connNodeLinks() {
        return links == null ? 0 : links.size();
    }

    @Override
    protected Map<String, String> endpoints() {
        return Map.of();
    }

    @Override
    protected void stopAccepting() {
        // the consumer finishes and commits the batch in hand, then leaves the group
        if (consumer != null) {
            consumer.close(config.get(NodeSettings.SHUTDOWN_TIMEOUT_MS));
        }
    }

    @Override
    protected void stopRole() {
        if (lagReporter != null) {
            lagReporter.close();
        }
        if (links != null) {
            links.close();
        }
        if (connNodes != null) {
            connNodes.close();
        }
        if (receipts != null) {
            receipts.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
