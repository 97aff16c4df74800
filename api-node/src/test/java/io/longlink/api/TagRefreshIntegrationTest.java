package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.NodeRegistration;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnNode;
import io.longlink.conn.testing.TestNodes;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.device.Platform;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.TagFilter;
import io.longlink.sdk.LonglinkClient;
import io.longlink.sdk.testing.RecordingListener;
import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * AddTags/RemoveTags reach a connected device's conn-node (RefreshTags) before the call answers:
 * a real conn-node and a real device, the api-node finding the node through the route and
 * ZooKeeper membership. Failures to reach the node never fail the call.
 */
@ExtendWith(Infra.class)
class TagRefreshIntegrationTest {
    private static ApiHarness api;
    private static RedisServer redis;
    private static ConnNode conn;
    private static ManagedChannel connChannel;
    private static CreateAppResponse app;
    private static DeviceServiceGrpc.DeviceServiceBlockingStub devices;
    private static LonglinkClient device;
    private static final RecordingListener events = new RecordingListener();

    @BeforeAll
    static void setUp(RedisServer redisServer, TestingServer zk, KafkaCluster kafka) throws Exception {
        redis = redisServer;
        api = new ApiHarness(redis, zk, kafka, Map.of());
        conn = TestNodes.on(redis.uri(), zk, api.namespace).start();
        connChannel = NettyChannelBuilder.forAddress("127.0.0.1", conn.grpcPort()).usePlaintext().build();

        app = api.createApp("tag-refresh");
        devices = api.stubFor(app, DeviceServiceGrpc::newBlockingStub);
        String token = devices.registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId("phone")
                .setPlatform(Platform.ANDROID).build()).getToken();
        device = LonglinkClient.builder().servers("127.0.0.1:" + conn.deviceAddress().getPort())
                .appKey(app.getAppKey()).deviceId("phone").token(token)
                .listener(events).build();
        device.start();
        assertThat(device.awaitConnected(Duration.ofSeconds(10))).isTrue();
        // the api-node's membership view must know the conn-node before a refresh can find it
        await().atMost(Duration.ofSeconds(10)).until(() -> devices.getDevice(GetDeviceRequest.newBuilder()
                .setDeviceId("phone").build()).getOnline());
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        if (device != null) {
            device.close();
        }
        if (connChannel != null) {
            connChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (conn != null) {
            conn.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static long matched(String tag, long messageId) {
        return ConnNodeGrpc.newBlockingStub(connChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .fanOut(FanOutRequest.newBuilder().setAppKey(app.getAppKey())
                        .setFilter(TagFilter.newBuilder().addAnyOf(tag))
                        .setPush(io.longlink.proto.device.Push.newBuilder().setMessageId(messageId).build()).build())
                .getMatched();
    }

    private static double refreshes(String result) {
        Double v = api.node.metrics().getSampleValue("longlink_api_tag_refreshes_total", new String[] {"result"},
                new String[] {result});
        return v == null ? 0 : v;
    }

    @Test
    void addTags_whenDeviceConnected_thenItsConnNodeMatchesTheNewTagWhenTheCallAnswers() throws Exception {
        double before = refreshes("refreshed");
        assertThat(matched("vip", 1)).isZero();

        devices.addTags(TagsRequest.newBuilder().setDeviceId("phone").addTags("vip").build());

        assertThat(matched("vip", 2)).as("no reconnect, no wait").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.messages.isEmpty());
        assertThat(events.messages.get(0).id()).isEqualTo(2);

        devices.removeTags(TagsRequest.newBuilder().setDeviceId("phone").addTags("vip").build());

        assertThat(matched("vip", 3)).isZero();
        assertThat(refreshes("refreshed")).isEqualTo(before + 2);
    }

    @Test
    void addTags_whenDeviceOffline_thenAnsweredAndCountedOffline() {
        double before = refreshes("offline");
        assertThat(devices.addTags(TagsRequest.newBuilder().setDeviceId("tablet").addTags("vip").build())
                .getTagsList()).containsExactly("vip");
        assertThat(refreshes("offline")).isEqualTo(before + 1);
    }

    @Test
    void addTags_whenRoutedConnNodeDoesNotAnswer_thenStillAnsweredAndCountedFailed() throws Exception {
        int closedPort = FreePorts.next(); // nothing listens there
        try (NodeRegistration silent = new NodeRegistration(api.zk, new NodeInfo("conn-silent", "conn",
                Map.of("device", "127.0.0.1:1", "grpc", "127.0.0.1:" + closedPort), 0))) {
            silent.start(5_000);
            redis.command("SET " + RedisKeys.route(app.getAppKey(), "watch") + " conn-silent|00000000000000aa");
            await().atMost(Duration.ofSeconds(10)).until(() -> devices.getDevice(GetDeviceRequest.newBuilder()
                    .setDeviceId("watch").build()).getOnline());
            double before = refreshes("failed");

            assertThat(devices.addTags(TagsRequest.newBuilder().setDeviceId("watch").addTags("sport").build())
                    .getTagsList()).containsExactly("sport");

            assertThat(refreshes("failed")).isEqualTo(before + 1);
        }
    }
}
