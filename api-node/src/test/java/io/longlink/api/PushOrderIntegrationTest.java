package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.command.PushCommand;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Acceptance order is the order Kafka fixes, whatever the api-nodes' clocks say about the ids. */
@ExtendWith(Infra.class)
class PushOrderIntegrationTest {
    @Test
    void push_whenOneCallerAlternatesBetweenApiNodesWhoseClocksDiffer_thenKafkaHoldsTheCallOrder(RedisServer redis,
            TestingServer zk, KafkaCluster kafka) throws Exception {
        try (ApiHarness onTime = new ApiHarness(redis, zk, kafka, Map.of());
             ApiHarness late = onTime.peer(() -> System.currentTimeMillis() - 60_000)) {
            CreateAppResponse app = onTime.createApp("order-app");
            List<PushServiceGrpc.PushServiceBlockingStub> nodes = List.of(
                    onTime.stubFor(app, PushServiceGrpc::newBlockingStub), late.stubFor(app, PushServiceGrpc::newBlockingStub));
            List<Long> ids = new ArrayList<>();

            // each call answers only once Kafka acknowledged it, so the next call is produced after it
            for (int i = 0; i < 6; i++) {
                ids.add(nodes.get(i % 2).push(PushRequest.newBuilder()
                        .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds("ordered")))
                        .setPayload(ByteString.copyFromUtf8("m" + i)).build()).getMessageId());
            }

            assertThat(ids.get(1)).as("the late node's ids sort before the earlier call's").isLessThan(ids.get(0));
            List<PushCommand> device = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : onTime.commandRecords()) {
                if (ApiHarness.key(r).equals(app.getAppKey() + ":ordered")) {
                    device.add(PushCommand.parseFrom(r.value()));
                }
            }
            assertThat(device).extracting(c -> c.getPush().getPayload().toStringUtf8())
                    .containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
            assertThat(device).extracting(c -> c.getPush().getMessageId()).containsExactlyElementsOf(ids);
        }
    }
}
