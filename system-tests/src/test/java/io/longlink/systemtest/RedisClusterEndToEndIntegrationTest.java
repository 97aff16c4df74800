package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.TagFilter;
import io.longlink.proto.api.TagsRequest;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisClusterServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The same flows over a three-master Redis Cluster: device keys share a slot, lookups split per slot. */
@ExtendWith(Infra.class)
class RedisClusterEndToEndIntegrationTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void unicastOnlineAndOffline_andTags_workOverRedisCluster(RedisClusterServer redis, TestingServer zk,
                                                              KafkaCluster kafka) throws Exception {
        try (TestCluster cluster = TestCluster.start(redis, zk, kafka, 2, 1, Map.of())) {
            TestCluster.App app = cluster.createApp("on-cluster");
            List<Device> online = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Device d = Device.register(cluster, app, "c-" + i);
                app.devices().addTags(TagsRequest.newBuilder().setDeviceId(d.id).addTags(i % 2 == 0 ? "even" : "odd").build());
                online.add(d.connect());
            }
            Device offline = Device.register(cluster, app, "c-offline");

            for (Device d : online) {
                push(app, Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(d.id)).build(), "direct");
            }
            push(app, Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(offline.id)).build(), "stored");
            push(app, Audience.newBuilder().setTags(TagFilter.newBuilder().addAnyOf("even")).build(), "evens");

            for (int i = 0; i < online.size(); i++) {
                Device d = online.get(i);
                List<String> expected = i % 2 == 0 ? List.of("direct", "evens") : List.of("direct");
                await().atMost(WAIT).untilAsserted(() -> assertThat(d.payloads()).containsExactlyInAnyOrderElementsOf(expected));
            }
            await().atMost(WAIT).until(() -> app.devices().getDevice(
                    GetDeviceRequest.newBuilder().setDeviceId(offline.id).build()).getInboxDepth() == 1);
            offline.connect();
            await().atMost(WAIT).until(() -> offline.payloads().contains("stored"));
            await().atMost(WAIT).until(() -> app.devices().getDevice(
                    GetDeviceRequest.newBuilder().setDeviceId(offline.id).build()).getInboxDepth() == 0);
            online.forEach(Device::close);
            offline.close();
        }
    }

    private static void push(TestCluster.App app, Audience audience, String payload) {
        app.push().push(PushRequest.newBuilder().setAudience(audience).setPayload(ByteString.copyFromUtf8(payload)).build());
    }
}
