package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.testing.LogCapture;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.device.Platform;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The api-node while its Redis is stopped, and after it is back: fast refusals, a quiet log, no stuck threads. */
@ExtendWith(Infra.class)
class RedisOutageIntegrationTest {
    private static final PushRequest PUSH = PushRequest.newBuilder()
            .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds("d-1")))
            .setPayload(ByteString.copyFromUtf8("x")).build();

    @RegisterExtension
    final LogCapture logged = new LogCapture(GrpcErrors.class);

    @Test
    void calls_whenRedisStopsAndComesBack_thenUnavailableWithinTheDeadlineLoggedOnceASecondThenServedAgain(
            TestingServer zk, KafkaCluster kafka) throws Exception {
        // AOF, as docs/operations.md asks: what was written before the outage is there after it
        try (RedisServer redis = RedisServer.start("--appendonly", "yes");
             ApiHarness api = new ApiHarness(redis, zk, kafka,
                     // two call threads: a thread that waited on Redis would leave the others queued
                     Map.of(ApiSettings.GRPC_THREADS, 2, ApiSettings.AUTH_CACHE_MS, 60_000))) {
            CreateAppResponse app = api.createApp("outage-app");
            CreateAppResponse uncached = api.createApp("outage-uncached");
            PushServiceGrpc.PushServiceFutureStub push = api.stubFor(app, PushServiceGrpc::newFutureStub);
            DeviceServiceGrpc.DeviceServiceFutureStub devices = api.stubFor(app, DeviceServiceGrpc::newFutureStub);
            long before = push.push(PUSH).get(10, TimeUnit.SECONDS).getMessageId();
            GetMessageStatusRequest status = GetMessageStatusRequest.newBuilder().setMessageId(before).build();

            redis.stop();
            logged.clear();
            long started = System.nanoTime();
            List<ListenableFuture<?>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(deadline(push).push(PUSH));
                calls.add(deadline(push).push(PUSH.toBuilder().setRequestId("outage-" + i).build()));
                calls.add(deadline(push).getMessageStatus(status));
                calls.add(deadline(devices).registerDevice(RegisterDeviceRequest.newBuilder()
                        .setDeviceId("d-" + i).setPlatform(Platform.ANDROID).build()));
                calls.add(deadline(api.stubFor(uncached, PushServiceGrpc::newFutureStub)).getMessageStatus(status));
            }
            for (ListenableFuture<?> call : calls) {
                assertThat(codeOf(call)).isEqualTo(Status.Code.UNAVAILABLE);
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertThat(logged.events()).isNotEmpty().hasSizeLessThanOrEqualTo((int) seconds + 1)
                    .allSatisfy(e -> {
                        assertThat(e.getFormattedMessage()).startsWith("redis failed; calls answered UNAVAILABLE");
                        assertThat(e.getThrowableProxy()).isNull();
                    });

            redis.restart();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                    push.getMessageStatus(status).get(5, TimeUnit.SECONDS).getAcceptedAtMs() > 0);
            assertThat(push.push(PUSH.toBuilder().setRequestId("after-outage").build()).get(10, TimeUnit.SECONDS)
                    .getDuplicate()).isFalse();
            assertThat(devices.registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId("d-after")
                    .setPlatform(Platform.IOS).build()).get(10, TimeUnit.SECONDS).getToken()).isNotEmpty();
        }
    }

    private static <S extends io.grpc.stub.AbstractStub<S>> S deadline(S stub) {
        return stub.withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    private static Status.Code codeOf(ListenableFuture<?> call) throws Exception {
        try {
            call.get(30, TimeUnit.SECONDS);
            return Status.Code.OK;
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause()).getCode();
        }
    }
}
