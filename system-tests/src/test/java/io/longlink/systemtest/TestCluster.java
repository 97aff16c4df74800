package io.longlink.systemtest;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.longlink.api.ApiNode;
import io.longlink.api.ApiSettings;
import io.longlink.api.auth.Caller;
import io.longlink.common.config.Config;
import io.longlink.common.config.Setting;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.device.Platform;
import io.longlink.router.RouterNode;
import io.longlink.router.RouterSettings;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisClusterServer;
import io.longlink.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;

/**
 * A whole Longlink cluster in this JVM: one api-node, routers and conn-nodes, each a real node with
 * its own ports, over shared real Redis, Kafka and ZooKeeper. Each cluster gets its own ZooKeeper
 * namespace, Kafka topics and consumer group, so test classes never see each other's traffic.
 */
final class TestCluster implements AutoCloseable {
    static final String ADMIN_TOKEN = "system-test-admin";
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private final Map<String, String> shared;
    private final List<AutoCloseable> nodes = new ArrayList<>();
    private final List<ConnNode> connNodes = new ArrayList<>();
    private final List<RouterNode> routers = new ArrayList<>();
    private ApiNode api;
    private ManagedChannel channel;
    private int nextNode;

    private TestCluster(Map<String, String> shared) {
        this.shared = shared;
    }

    static TestCluster start(RedisServer redis, TestingServer zk, KafkaCluster kafka, int connCount, int routerCount,
                             Map<String, String> overrides) throws Exception {
        return start(redis.uri(), false, zk, kafka, connCount, routerCount, overrides);
    }

    static TestCluster start(RedisClusterServer redis, TestingServer zk, KafkaCluster kafka, int connCount,
                             int routerCount, Map<String, String> overrides) throws Exception {
        return start(String.join(",", redis.uris()), true, zk, kafka, connCount, routerCount, overrides);
    }

    private static TestCluster start(String redisUris, boolean redisCluster, TestingServer zk, KafkaCluster kafka,
                                     int connCount, int routerCount, Map<String, String> overrides) throws Exception {
        int n = CLUSTERS.incrementAndGet();
        Map<String, String> shared = new HashMap<>();
        shared.put("zookeeper.connect", zk.getConnectString());
        shared.put("zookeeper.namespace", "systest" + n);
        shared.put("redis.uris", redisUris);
        shared.put("redis.cluster", String.valueOf(redisCluster));
        shared.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        shared.put("kafka.command-topic", "systest" + n + ".commands");
        shared.put("kafka.receipt-topic", "systest" + n + ".receipts");
        shared.put("admin.port", "0");
        shared.put("internal.tls.enabled", "false");
        shared.putAll(overrides);
        TestCluster cluster = new TestCluster(shared);
        try {
            for (int i = 0; i < routerCount; i++) {
                cluster.startRouter();
            }
            for (int i = 0; i < connCount; i++) {
                cluster.startConnNode();
            }
            cluster.startApi();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    RouterNode startRouter() throws Exception {
        RouterNode router = started(new RouterNode(config(settings("router", Map.of(
                "router.consumer-group", shared.get("zookeeper.namespace") + "-routers",
                "router.command-partitions", "4",
                "router.receipt-partitions", "2")), RouterSettings.all())));
        routers.add(router);
        return router;
    }

    ConnNode startConnNode() throws Exception {
        ConnNode conn = started(new ConnNode(config(settings("conn", Map.of(
                "conn.device.port", "0",
                "conn.grpc.port", "0")), ConnSettings.all())));
        connNodes.add(conn);
        return conn;
    }

    private void startApi() throws Exception {
        api = started(new ApiNode(config(settings("api", Map.of(
                "api.grpc.port", "0",
                "api.admin-token", ADMIN_TOKEN)), ApiSettings.all())));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", api.grpcPort()).usePlaintext().build();
    }

    /** The cluster's shared settings, a node id of {@code role} and the node's {@code own} settings. */
    private Map<String, String> settings(String role, Map<String, String> own) {
        Map<String, String> s = new HashMap<>(shared);
        s.put("node.id", role + "-" + (++nextNode));
        s.putAll(own);
        return s;
    }

    /** Starts {@code node}, which the cluster closes from then on, even when its start fails. */
    private <N extends BaseNode> N started(N node) throws Exception {
        nodes.add(node);
        node.start();
        return node;
    }

    List<ConnNode> connNodes() {
        return connNodes;
    }

    List<RouterNode> routers() {
        return routers;
    }

    ApiNode api() {
        return api;
    }

    /** Creates an app through the admin API and returns stubs that carry its credentials. */
    App createApp(String name) {
        Metadata admin = new Metadata();
        admin.put(Caller.ADMIN_TOKEN_HEADER, ADMIN_TOKEN);
        CreateAppResponse created = AppAdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(admin))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .createApp(CreateAppRequest.newBuilder().setName(name).build());
        return app(created.getAppKey(), created.getSecret());
    }

    App app(String appKey, String secret) {
        Metadata creds = new Metadata();
        creds.put(Caller.APP_KEY_HEADER, appKey);
        creds.put(Caller.APP_SECRET_HEADER, secret);
        var attach = MetadataUtils.newAttachHeadersInterceptor(creds);
        return new App(appKey, secret,
                PushServiceGrpc.newBlockingStub(channel).withInterceptors(attach),
                DeviceServiceGrpc.newBlockingStub(channel).withInterceptors(attach),
                PushServiceGrpc.newStub(channel).withInterceptors(attach));
    }

    /** Device listener addresses of the live conn-nodes, for SDK clients. */
    List<String> deviceAddresses() {
        return connNodes.stream().filter(c -> !c.isDraining())
                .map(c -> "127.0.0.1:" + c.deviceAddress().getPort()).toList();
    }

    private static Config config(Map<String, String> values, List<Setting<?>> settings) throws Exception {
        Map<String, String> env = new HashMap<>();
        Map<String, Setting<?>> byKey = new HashMap<>();
        settings.forEach(s -> byKey.put(s.key(), s));
        values.forEach((k, v) -> {
            Setting<?> s = byKey.get(k);
            if (s != null) {
                env.put(s.envName(), v);
            }
        });
        return Config.load(null, env, settings);
    }

    @Override
    public void close() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }

    record App(String key, String secret, PushServiceGrpc.PushServiceBlockingStub push,
               DeviceServiceGrpc.DeviceServiceBlockingStub devices, PushServiceGrpc.PushServiceStub pushAsync) {
        /** Registers a web device and returns its token. */
        String registerWebDevice(String deviceId) {
            return devices.withDeadlineAfter(10, TimeUnit.SECONDS).registerDevice(RegisterDeviceRequest.newBuilder()
                    .setDeviceId(deviceId).setPlatform(Platform.WEB).build()).getToken();
        }

        /** Pushes {@code payload} to one device and returns the message id. */
        long pushTo(String deviceId, String payload) {
            return push.withDeadlineAfter(15, TimeUnit.SECONDS).push(PushRequest.newBuilder()
                    .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(deviceId)))
                    .setPayload(ByteString.copyFromUtf8(payload)).build()).getMessageId();
        }

        /** The number of entries in the device's inbox. */
        long inboxDepth(RedisServer redis, String deviceId) {
            return Long.parseLong(redis.command("ZCARD " + RedisKeys.inbox(key, deviceId)).substring(1));
        }
    }
}
