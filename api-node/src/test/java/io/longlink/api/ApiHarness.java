package io.longlink.api;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.longlink.api.auth.Caller;
import io.longlink.common.config.Setting;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.testing.NodeEnv;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Starts a real api-node on port 0 against the shared test servers, in its own ZooKeeper namespace and topics. */
final class ApiHarness implements AutoCloseable {
    static final String ADMIN_TOKEN = "test-admin-token";

    final String namespace;
    final String commandTopic;
    final String receiptTopic;
    final ApiNode node;
    final ManagedChannel channel;
    final CuratorFramework zk;
    private final String redisUris;
    private final boolean redisCluster;
    private final TestingServer zkServer;
    private final KafkaCluster kafka;

    ApiHarness(RedisServer redis, TestingServer zkServer, KafkaCluster kafka, Map<Setting<?>, Object> extra) throws Exception {
        this(redis.uri(), false, zkServer, kafka, extra);
    }

    ApiHarness(String redisUris, boolean redisCluster, TestingServer zkServer, KafkaCluster kafka,
               Map<Setting<?>, Object> extra) throws Exception {
        this(redisUris, redisCluster, zkServer, kafka, extra, "api-" + UUID.randomUUID(),
                "commands-" + UUID.randomUUID(), "receipts-" + UUID.randomUUID(), System::currentTimeMillis);
    }

    private ApiHarness(String redisUris, boolean redisCluster, TestingServer zkServer, KafkaCluster kafka,
                       Map<Setting<?>, Object> extra, String namespace, String commandTopic, String receiptTopic,
                       LongSupplier clock) throws Exception {
        this.redisUris = redisUris;
        this.redisCluster = redisCluster;
        this.zkServer = zkServer;
        this.kafka = kafka;
        this.namespace = namespace;
        this.commandTopic = commandTopic;
        this.receiptTopic = receiptTopic;
        kafka.createTopics(4, commandTopic, receiptTopic);
        NodeEnv env = new NodeEnv().zooKeeper(zkServer, namespace).redis(redisUris, redisCluster)
                .kafka(kafka, commandTopic, receiptTopic)
                .set(ApiSettings.ADMIN_PORT, 0)
                .set(ApiSettings.GRPC_PORT, 0)
                .set(ApiSettings.ADMIN_TOKEN, ADMIN_TOKEN)
                .setAll(extra);
        node = NodeEnv.started(new ApiNode(env.load(ApiSettings.all()), clock));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
        zk = CuratorFrameworkFactory.builder().connectString(zkServer.getConnectString()).namespace(namespace)
                .retryPolicy(new RetryOneTime(100)).build();
        zk.start();
        zk.blockUntilConnected();
    }

    /** Another api-node of this one's cluster (ZooKeeper namespace, topics, Redis), stamping with {@code clock}. */
    ApiHarness peer(LongSupplier clock) throws Exception {
        return new ApiHarness(redisUris, redisCluster, zkServer, kafka,
                Map.of(NodeSettings.NODE_ID, "api-peer-" + UUID.randomUUID()), namespace, commandTopic, receiptTopic,
                clock);
    }

    /** Another api-node of this one's cluster with {@code extra} settings (this one's own extras are not copied). */
    ApiHarness peer(Map<Setting<?>, Object> extra) throws Exception {
        Map<Setting<?>, Object> settings = new HashMap<>(extra);
        settings.put(NodeSettings.NODE_ID, "api-peer-" + UUID.randomUUID());
        return new ApiHarness(redisUris, redisCluster, zkServer, kafka, settings, namespace, commandTopic,
                receiptTopic, System::currentTimeMillis);
    }

    /** The admin service of this node, with the harness's admin token. */
    AppAdminServiceGrpc.AppAdminServiceBlockingStub admin() {
        return asAdmin(AppAdminServiceGrpc.newBlockingStub(channel), ADMIN_TOKEN);
    }

    /** Creates an app through the admin API, with the harness's admin token. */
    CreateAppResponse createApp(String name) {
        return admin().createApp(CreateAppRequest.newBuilder().setName(name).build());
    }

    /** A stub on this node's channel that calls as {@code app}: {@code stubFor(app, PushServiceGrpc::newStub)}. */
    <S extends AbstractStub<S>> S stubFor(CreateAppResponse app, Function<Channel, S> newStub) {
        return asApp(newStub.apply(channel), app.getAppKey(), app.getSecret());
    }

    static <S extends AbstractStub<S>> S asApp(S stub, String appKey, String secret) {
        Metadata md = new Metadata();
        if (appKey != null) {
            md.put(Caller.APP_KEY_HEADER, appKey);
        }
        if (secret != null) {
            md.put(Caller.APP_SECRET_HEADER, secret);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    static <S extends AbstractStub<S>> S asAdmin(S stub, String token) {
        Metadata md = new Metadata();
        if (token != null) {
            md.put(Caller.ADMIN_TOKEN_HEADER, token);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** Every record of the command topic written so far (read from the beginning, no group). */
    List<ConsumerRecord<byte[], byte[]>> commandRecords() {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(commandTopic).stream()
                    .map(p -> new TopicPartition(commandTopic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        zk.close();
        node.close();
    }
}
