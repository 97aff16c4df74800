package io.longlink.router;

import static org.awaitility.Awaitility.await;

import io.longlink.common.config.Setting;
import io.longlink.common.grpc.InternalTls;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.testing.NodeEnv;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisClusterServer;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's world: its own topics, consumer group and ZooKeeper namespace on the shared servers,
 * routers started on demand, a producer standing in for api-nodes and a Redis connection to look.
 * Registered as an extension it opens before each test and closes after it:
 *
 * <pre>
 * &#64;RegisterExtension
 * final RouterHarness h = RouterHarness.onSharedServers();
 * </pre>
 */
final class RouterHarness implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    final String namespace = "router-" + UUID.randomUUID();
    final String commandTopic = "commands-" + UUID.randomUUID();
    final String receiptTopic = "receipts-" + UUID.randomUUID();
    final String group = "routers-" + UUID.randomUUID();
    final String appKey = "app" + UUID.randomUUID().toString().substring(0, 8);
    CuratorFramework zk;
    RedisStore redis;
    private KafkaCluster kafka;
    private TestingServer zkServer;
    private String redisUris;
    private boolean cluster;
    private KafkaProducer<byte[], byte[]> producer;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Admin admin;
    private final java.util.concurrent.atomic.AtomicInteger routers = new java.util.concurrent.atomic.AtomicInteger();

    private final boolean onRedisCluster;

    private RouterHarness(boolean onRedisCluster) {
        this.onRedisCluster = onRedisCluster;
    }

    /** A world on the shared standalone redis-server, ZooKeeper and Kafka, for each test. */
    static RouterHarness onSharedServers() {
        return new RouterHarness(false);
    }

    /** As {@link #onSharedServers()}, on the shared three-master Redis Cluster instead. */
    static RouterHarness onSharedRedisCluster() {
        return new RouterHarness(true);
    }

    /** A world opened at once on these servers; the caller closes it. */
    RouterHarness(String redisUris, boolean cluster, TestingServer zkServer, KafkaCluster kafka) throws Exception {
        this(cluster);
        open(redisUris, cluster, zkServer, kafka);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        String uris = onRedisCluster ? String.join(",", Infra.shared(context, RedisClusterServer.class).uris())
                : Infra.shared(context, RedisServer.class).uri();
        open(uris, onRedisCluster, Infra.shared(context, TestingServer.class), Infra.shared(context, KafkaCluster.class));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    private void open(String redisUris, boolean cluster, TestingServer zkServer, KafkaCluster kafka)
            throws Exception {
        this.kafka = kafka;
        this.zkServer = zkServer;
        this.redisUris = redisUris;
        this.cluster = cluster;
        zk = CuratorFrameworkFactory.builder().connectString(zkServer.getConnectString()).namespace(namespace)
                .retryPolicy(new RetryOneTime(100)).build();
        zk.start();
        zk.blockUntilConnected();
        redis = RedisStore.open(redisUris, cluster, 5_000);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    RouterNode startRouter(Map<Setting<?>, Object> extra) throws Exception {
        NodeEnv env = new NodeEnv().zooKeeper(zkServer, namespace).redis(redisUris, cluster)
                .kafka(kafka, commandTopic, receiptTopic)
                .set(RouterSettings.CONSUMER_GROUP, group)
                .set(RouterSettings.COMMAND_PARTITIONS, 4)
                .set(RouterSettings.RECEIPT_PARTITIONS, 2)
                .set(RouterSettings.ADMIN_PORT, 0)
                .set(RouterSettings.LINK_RETRY_MS, 100)
                .set(NodeSettings.NODE_ID, "router-" + routers.incrementAndGet())
                .setAll(extra);
        RouterNode node = NodeEnv.started(new RouterNode(env.load(RouterSettings.all())));
        closeables.add(node);
        return node;
    }

    /** Starts a router and waits until it has a link to each of the {@code links} fake conn-nodes. */
    RouterNode startRouterLinked(Map<Setting<?>, Object> extra, int links) throws Exception {
        RouterNode node = startRouter(extra);
        await().atMost(Duration.ofSeconds(30)).until(() -> node.connNodeLinks() == links);
        return node;
    }

    FakeConnNode connNode(String id) throws Exception {
        return connNode(id, InternalTls.plaintext());
    }

    /** A fake conn-node whose gRPC server uses {@code tls}. */
    FakeConnNode connNode(String id, InternalTls tls) throws Exception {
        FakeConnNode n = new FakeConnNode(zk, id, tls);
        closeables.add(n);
        return n;
    }

    void publish(String key, PushCommand command) throws Exception {
        publish(key, command.toByteArray());
    }

    void publish(String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(commandTopic, key.getBytes(StandardCharsets.UTF_8), value)).get(10, TimeUnit.SECONDS);
    }

    /** Committed offsets of the routers' group, summed over partitions. */
    long committed() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = kafka.admin();
        }
        return admin;
    }

    /** Members of the routers' consumer group now (0 before anyone joined it). */
    int groupMembers() throws Exception {
        try {
            return admin().describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group)
                    .members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    /** Creates the command and receipt topics ahead of the routers, as they would. */
    void createTopics() throws Exception {
        admin().createTopics(List.of(new NewTopic(commandTopic, 4, (short) 1), new NewTopic(receiptTopic, 2, (short) 1)))
                .all().get(10, TimeUnit.SECONDS);
    }

    /** A consumer in the routers' group, for a test to hold a rebalance up; the caller closes it. */
    KafkaConsumer<byte[], byte[]> groupMember() {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 120_000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** End offsets of the command topic, summed over partitions. */
    long produced() throws Exception {
        int partitions = admin().describeTopics(List.of(commandTopic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(commandTopic).partitions().size();
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(commandTopic, p), OffsetSpec.latest());
        }
        return admin().listOffsets(specs).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(i -> i.offset()).sum();
    }

    /** Every receipt the routers wrote so far (read from the beginning, no group). */
    List<Receipt> receipts() throws Exception {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(receiptTopic).stream()
                    .map(p -> new TopicPartition(receiptTopic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<Receipt> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(Receipt.parseFrom(r.value()));
                }
            }
            return out;
        }
    }

    /** The receipts of {@code kind} so far, as {@code deviceId/messageId}. */
    List<String> receipts(ReceiptKind kind) throws Exception {
        return receipts().stream().filter(r -> r.getKind() == kind)
                .map(r -> r.getDeviceId() + "/" + Long.toUnsignedString(r.getMessageId())).toList();
    }

    String get(String key) throws Exception {
        byte[] v = redis.async().get(key).get(5, TimeUnit.SECONDS);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    byte[] getBytes(String key) throws Exception {
        return redis.async().get(key).get(5, TimeUnit.SECONDS);
    }

    /** Routes the test app's {@code device} to {@code route} ({@code node|connection}), as its conn-node does. */
    void route(String device, String route) throws Exception {
        set(RedisKeys.route(appKey, device), route);
    }

    void set(String key, String value) throws Exception {
        redis.async().set(key, value.getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
    }

    List<String> inbox(String device) throws Exception {
        return redis.async().zrange(RedisKeys.inbox(appKey, device), 0, -1)
                .get(5, TimeUnit.SECONDS).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    long pttl(String key) throws Exception {
        return redis.async().pttl(key).get(5, TimeUnit.SECONDS);
    }

    Map<String, String> stat(long id) throws Exception {
        Map<String, String> out = new HashMap<>();
        redis.async().hgetall(RedisKeys.stat(id)).get(5, TimeUnit.SECONDS)
                .forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }

    /** A sample of {@code router}'s metrics without labels, 0 when it has none yet. */
    static double metric(RouterNode router, String name) {
        Double v = router.metrics().getSampleValue(name);
        return v == null ? 0 : v;
    }

    /** A labelled sample of {@code router}'s metrics, 0 when it has none yet. */
    static double metric(RouterNode router, String name, String label, String value) {
        Double v = router.metrics().getSampleValue(name, new String[] {label}, new String[] {value});
        return v == null ? 0 : v;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
                // best effort in teardown
            }
        }
        producer.close();
        synchronized (this) {
            if (admin != null) {
                admin.close();
            }
        }
        redis.close();
        zk.close();
    }
}
