package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.longlink.common.testing.TestPki;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushRequest;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Pushes through the API reach devices on every conn-node when routers call them over mutual TLS. */
@ExtendWith(Infra.class)
class InternalTlsEndToEndIntegrationTest {
    @Test
    void push_whenInternalTlsOn_thenDevicesOnEveryConnNodeReceive(RedisServer redis, TestingServer zk,
                                                                  KafkaCluster kafka, @TempDir Path dir) throws Exception {
        // the cluster's nodes share their settings, so one node certificate of the CA serves them all
        Map<String, String> tls = new HashMap<>();
        TestPki.settings(TestPki.create(dir, "cluster").issue("node")).forEach((s, v) -> tls.put(s.key(),
                String.valueOf(v)));
        try (TestCluster cluster = TestCluster.start(redis, zk, kafka, 2, 1, tls)) {
            TestCluster.App app = cluster.createApp("internal-tls");
            List<String> addresses = cluster.deviceAddresses();
            Device first = Device.register(cluster, app, "on-first").connect(List.of(addresses.get(0)));
            Device second = Device.register(cluster, app, "on-second").connect(List.of(addresses.get(1)));

            for (Device d : List.of(first, second)) {
                app.push().push(PushRequest.newBuilder().setAudience(Audience.newBuilder()
                                .setDevices(DeviceList.newBuilder().addDeviceIds(d.id)))
                        .setPayload(ByteString.copyFromUtf8("to " + d.id)).build());
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(first.payloads()).containsExactly("to on-first");
                assertThat(second.payloads()).containsExactly("to on-second");
            });
            first.close();
            second.close();
        }
    }
}
