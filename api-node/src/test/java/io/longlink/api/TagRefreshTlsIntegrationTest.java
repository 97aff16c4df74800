package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.testing.TestPki;
import io.longlink.conn.ConnNode;
import io.longlink.conn.testing.TestNodes;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.device.Platform;
import io.longlink.sdk.LonglinkClient;
import io.longlink.sdk.testing.RecordingListener;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The api-node's RefreshTags calls reach a conn-node that requires internal mutual TLS. */
@ExtendWith(Infra.class)
class TagRefreshTlsIntegrationTest {
    @Test
    void addTags_whenApiAndConnNodeHoldCertificatesOfTheCluster_thenRefreshedOverMutualTls(RedisServer redis,
            TestingServer zk, KafkaCluster kafka, @TempDir Path dir) throws Exception {
        TestPki cluster = TestPki.create(dir, "cluster");
        try (ApiHarness api = new ApiHarness(redis, zk, kafka, TestPki.settings(cluster.issue("api-1")))) {
            TestNodes nodes = TestNodes.on(redis.uri(), zk, api.namespace);
            TestPki.settings(cluster.issue("conn-1")).forEach(nodes::set);
            ConnNode conn = nodes.start();
            try {
                CreateAppResponse app = api.createApp("tag-refresh-tls");
                DeviceServiceGrpc.DeviceServiceBlockingStub devices = api.stubFor(app,
                        DeviceServiceGrpc::newBlockingStub);
                String token = devices.registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId("phone")
                        .setPlatform(Platform.ANDROID).build()).getToken();
                try (LonglinkClient device = LonglinkClient.builder()
                        .servers("127.0.0.1:" + conn.deviceAddress().getPort()).appKey(app.getAppKey())
                        .deviceId("phone").token(token).listener(new RecordingListener()).build()) {
                    device.start();
                    assertThat(device.awaitConnected(Duration.ofSeconds(10))).isTrue();
                    await().atMost(Duration.ofSeconds(10)).until(() -> devices.getDevice(GetDeviceRequest.newBuilder()
                            .setDeviceId("phone").build()).getOnline());

                    devices.addTags(TagsRequest.newBuilder().setDeviceId("phone").addTags("vip").build());

                    assertThat(api.node.metrics().getSampleValue("longlink_api_tag_refreshes_total",
                            new String[] {"result"}, new String[] {"refreshed"})).isEqualTo(1.0);
                }
            } finally {
                conn.close();
            }
        }
    }
}
