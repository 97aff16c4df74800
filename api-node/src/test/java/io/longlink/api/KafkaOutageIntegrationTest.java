package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.longlink.common.config.Setting;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The api-node while its only Kafka broker is down, and after it is back: pushes answer UNAVAILABLE
 * within their deadline, no thread waits on Kafka (calls served from Redis stay fast on every node,
 * one of which had sent nothing to Kafka before the outage), and pushes succeed again without a restart.
 */
@ExtendWith(Infra.class)
class KafkaOutageIntegrationTest {
    private static final int KAFKA_TIMEOUT_MS = 2_000;
    /** Two call threads: a thread that waited on Kafka would leave the others queued. */
    private static final Map<Setting<?>, Object> SETTINGS = Map.of(ApiSettings.GRPC_THREADS, 2,
            ApiSettings.KAFKA_TIMEOUT_MS, KAFKA_TIMEOUT_MS);
    private static final long PUSH_DEADLINE_MS = 3L * KAFKA_TIMEOUT_MS;
    /** A Redis read answers in milliseconds; a call that waited on Kafka would take seconds. */
    private static final long STATUS_DEADLINE_MS = 1_000;

    private static PushRequest push(String device, String requestId) {
        return PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(device)))
                .setPayload(ByteString.copyFromUtf8("x")).setRequestId(requestId).build();
    }

    private static PushBatchRequest batch(int n, String requestIdPrefix) {
        PushBatchRequest.Builder b = PushBatchRequest.newBuilder();
        for (int i = 0; i < n; i++) {
            b.addPushes(push("d-" + i, requestIdPrefix.isEmpty() ? "" : requestIdPrefix + i));
        }
        return b.build();
    }

    private static <S extends AbstractStub<S>> S deadline(S stub, long ms) {
        return stub.withDeadlineAfter(ms, TimeUnit.MILLISECONDS);
    }

    @Test
    void calls_whenKafkaStopsUnderLoadAndComesBack_thenUnavailableInTimeRedisCallsFastAndPushesAcceptedAgain(
            RedisServer redis, TestingServer zk) throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start();
             ApiHarness warm = new ApiHarness(redis, zk, kafka, SETTINGS);
             ApiHarness idle = warm.peer(SETTINGS)) {
            CreateAppResponse app = warm.createApp("kafka-outage");
            List<PushServiceGrpc.PushServiceFutureStub> nodes = List.of(
                    warm.stubFor(app, PushServiceGrpc::newFutureStub), idle.stubFor(app, PushServiceGrpc::newFutureStub));
            long id = nodes.get(0).push(push("d-0", "")).get(30, TimeUnit.SECONDS).getMessageId();
            GetMessageStatusRequest status = GetMessageStatusRequest.newBuilder().setMessageId(id).build();
            List<ListenableFuture<?>> beforeStop = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                beforeStop.add(deadline(nodes.get(0), PUSH_DEADLINE_MS).push(push("d-" + i, "")));
            }

            kafka.stop();
            String run = UUID.randomUUID().toString();
            List<ListenableFuture<?>> pushes = new ArrayList<>();
            List<ListenableFuture<PushBatchResponse>> batches = new ArrayList<>();
            for (PushServiceGrpc.PushServiceFutureStub node : nodes) {
                for (int i = 0; i < 10; i++) {
                    pushes.add(deadline(node, PUSH_DEADLINE_MS).push(push("d-" + i, "")));
                    pushes.add(deadline(node, PUSH_DEADLINE_MS).push(push("d-" + i, run + "-" + node.hashCode() + i)));
                }
                batches.add(deadline(node, PUSH_DEADLINE_MS).pushBatch(batch(1_000, "")));
                batches.add(deadline(node, PUSH_DEADLINE_MS).pushBatch(batch(1_000, run + "-b-" + node.hashCode())));
            }
            // while those wait for Kafka, every node keeps answering what Redis serves
            int statusCalls = 0;
            while (!allDone(pushes) || !allDone(batches) || statusCalls < 10) {
                for (PushServiceGrpc.PushServiceFutureStub node : nodes) {
                    assertThat(deadline(node, STATUS_DEADLINE_MS).getMessageStatus(status).get(30, TimeUnit.SECONDS)
                            .getAcceptedAtMs()).isPositive();
                    statusCalls++;
                }
            }

            for (ListenableFuture<?> call : pushes) {
                assertThat(codeOf(call)).isEqualTo(Status.Code.UNAVAILABLE);
            }
            for (ListenableFuture<PushBatchResponse> call : batches) {
                assertThat(call.get(30, TimeUnit.SECONDS).getResultsList()).hasSize(1_000).allSatisfy(r -> {
                    assertThat(r.getError().getCode()).isEqualTo(Status.Code.UNAVAILABLE.value());
                    assertThat(r.getError().getMessage()).startsWith("kafka:");
                });
            }
            for (ListenableFuture<?> call : beforeStop) {
                assertThat(codeOf(call)).isIn(Status.Code.OK, Status.Code.UNAVAILABLE);
            }

            kafka.restart();
            for (PushServiceGrpc.PushServiceFutureStub node : nodes) {
                await().atMost(Duration.ofSeconds(60)).ignoreException(ExecutionException.class)
                        .until(() -> node.push(push("d-after", "")).get(30, TimeUnit.SECONDS).getMessageId() != 0);
                assertThat(node.pushBatch(batch(100, run + "-after-" + node.hashCode())).get(30, TimeUnit.SECONDS)
                        .getResultsList()).extracting(PushResult::hasError).containsOnly(false);
            }
        }
    }

    private static boolean allDone(List<? extends ListenableFuture<?>> calls) {
        return calls.stream().allMatch(ListenableFuture::isDone);
    }

    private static Status.Code codeOf(ListenableFuture<?> call) throws Exception {
        try {
            call.get(30, TimeUnit.SECONDS);
            return Status.Code.OK;
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            return Status.fromThrowable(e.getCause()).getCode();
        }
    }
}
