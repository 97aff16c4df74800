package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.Device;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.RevokeRequest;
import io.longlink.proto.api.SetAliasRequest;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.device.Platform;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisClusterServer;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The API against a three-master Redis Cluster: app, request-id, device and message keys land on different nodes. */
@ExtendWith(Infra.class)
class ApiClusterIntegrationTest {
    @Test
    void api_whenRedisIsACluster_thenEveryCallWorksFromTheFirstOne(RedisClusterServer cluster, TestingServer zk,
                                                                  KafkaCluster kafka) throws Exception {
        try (ApiHarness api = new ApiHarness(String.join(",", cluster.uris()), true, zk, kafka, Map.of())) {
            CreateAppResponse app = api.createApp("cluster-app");
            PushServiceGrpc.PushServiceBlockingStub push = api.stubFor(app, PushServiceGrpc::newBlockingStub);
            DeviceServiceGrpc.DeviceServiceBlockingStub devices =
                    api.stubFor(app, DeviceServiceGrpc::newBlockingStub);

            devices.registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId("c1").setPlatform(Platform.WEB).build());
            devices.addTags(TagsRequest.newBuilder().setDeviceId("c1").addTags("t1").build());
            devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("c1").setAlias("ann").build());
            PushRequest req = PushRequest.newBuilder()
                    .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds("c1")))
                    .setPayload(ByteString.copyFromUtf8("x")).setRequestId("cluster-req").build();
            long id = push.push(req).getMessageId();

            assertThat(push.push(req).getMessageId()).isEqualTo(id);
            assertThat(push.getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(id).build())
                    .getAcceptedAtMs()).isPositive();
            assertThat(push.revoke(RevokeRequest.newBuilder().setMessageId(id).build()).getBodyRemoved()).isFalse();
            Device d = devices.getDevice(GetDeviceRequest.newBuilder().setDeviceId("c1").build());
            assertThat(d.getTagsList()).containsExactly("t1");
            assertThat(d.getAlias()).isEqualTo("ann");
            assertThat(d.getPlatform()).isEqualTo(Platform.WEB);

            // a batch's status writes, pipelined on their own connection, spread over every master
            PushBatchRequest.Builder batch = PushBatchRequest.newBuilder();
            for (int i = 0; i < 50; i++) {
                batch.addPushes(req.toBuilder().setRequestId(i % 2 == 0 ? "" : "cluster-batch-" + i));
            }
            for (PushResult r : push.pushBatch(batch.build()).getResultsList()) {
                assertThat(r.hasError()).isFalse();
                MessageStatus s = push.getMessageStatus(GetMessageStatusRequest.newBuilder()
                        .setMessageId(r.getMessageId()).build());
                assertThat(s.getCreatedAtMs()).isPositive();
                assertThat(s.getAcceptedAtMs()).isGreaterThanOrEqualTo(s.getCreatedAtMs());
            }
        }
    }
}
