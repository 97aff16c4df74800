package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.longlink.conn.ConnNode;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.PushRequest;
import io.longlink.router.RouterNode;
import io.longlink.sdk.PushMessage;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Nothing accepted is lost when a router stops mid-stream or a conn-node drains. */
@ExtendWith(Infra.class)
class ResilienceEndToEndIntegrationTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void routerStoppedMidStream_otherRouterTakesOver_andEveryMessageArrivesOnceInOrder(
            RedisServer redis, TestingServer zk, KafkaCluster kafka) throws Exception {
        try (TestCluster cluster = TestCluster.start(redis, zk, kafka, 2, 2, Map.of())) {
            TestCluster.App app = cluster.createApp("router-failover");
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                devices.add(Device.register(cluster, app, "fo-" + i).connect());
            }
            int perDevice = 50;
            RouterNode first = cluster.routers().get(0);
            for (int n = 0; n < perDevice; n++) {
                for (Device d : devices) {
                    push(app, d.id, d.id + "#" + n);
                }
                if (n == perDevice / 3) {
                    first.close();
                }
            }
            for (Device d : devices) {
                await().atMost(WAIT).until(() -> d.messages.size() >= perDevice);
                List<String> expected = new ArrayList<>();
                for (int n = 0; n < perDevice; n++) {
                    expected.add(d.id + "#" + n);
                }
                // the SDK removes redelivered duplicates: the app sees each message once, in order
                assertThat(d.payloads()).containsExactlyElementsOf(expected);
                d.close();
            }
        }
    }

    @Test
    void connNodeDrain_redirectsDevicesToAnotherNode_andPushesDuringTheDrainArrive(
            RedisServer redis, TestingServer zk, KafkaCluster kafka) throws Exception {
        try (TestCluster cluster = TestCluster.start(redis, zk, kafka, 2, 1, Map.of("conn.drain-rate-per-s", "50"))) {
            TestCluster.App app = cluster.createApp("drain");
            ConnNode draining = cluster.connNodes().get(0);
            ConnNode staying = cluster.connNodes().get(1);
            List<String> onlyDraining = List.of("127.0.0.1:" + draining.deviceAddress().getPort());
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                devices.add(Device.register(cluster, app, "dr-" + i).connect(onlyDraining));
            }
            for (Device d : devices) {
                push(app, d.id, "before");
            }
            for (Device d : devices) {
                await().atMost(WAIT).until(() -> d.payloads().contains("before"));
            }

            Thread drain = Thread.ofPlatform().start(draining::close);
            for (Device d : devices) {
                push(app, d.id, "during");
            }
            drain.join(Duration.ofSeconds(60).toMillis());
            assertThat(drain.isAlive()).isFalse();
            for (Device d : devices) {
                push(app, d.id, "after");
            }

            for (Device d : devices) {
                await().atMost(WAIT).until(() -> d.payloads().contains("after") && d.payloads().contains("during"));
                assertThat(d.payloads()).containsExactly("before", "during", "after");
                assertThat(Set.copyOf(d.messages.stream().map(PushMessage::id).toList())).hasSize(3);
                var info = app.devices().getDevice(GetDeviceRequest.newBuilder().setDeviceId(d.id).build());
                assertThat(info.getNodeId()).isEqualTo(staying.nodeId());
                d.close();
            }
            assertThat(new HashSet<>(devices.stream().map(d -> d.sessions.size()).toList())).allMatch(n -> n >= 2);
        }
    }

    private static void push(TestCluster.App app, String deviceId, String payload) {
        app.push().push(PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(deviceId)))
                .setPayload(ByteString.copyFromUtf8(payload)).build());
    }
}
