package io.longlink.api.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.longlink.api.id.MessageIds;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushRequest;
import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import io.prometheus.client.CollectorRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admission limit (api.max-inflight-pushes) with a real Redis and a Kafka producer whose broker
 * does not answer: the first call stays in flight while its request ids are held by an earlier push
 * that Kafka has not accepted (it waits for that push up to its wait bound), so the limit is reached
 * for as long as that lasts, without any timing guess.
 */
@ExtendWith(Infra.class)
class PushAdmissionIntegrationTest {
    @AutoClose
    private RedisStore redis;
    @AutoClose
    private RedisStore batchRedis;
    @AutoClose
    private CommandPublisher publisher;
    @AutoClose
    private RequestIdReservations requestIds;

    private final CollectorRegistry registry = new CollectorRegistry();

    @Test
    void start_whenLimitReached_thenRefusedBeforeAnythingIsProducedAndAdmittedAgainAfterwards(RedisServer server)
            throws Exception {
        redis = RedisStore.open(server.uri(), false, 2_000);
        batchRedis = RedisStore.open(server.uri(), false, 2_000);
        // nothing listens there: a send fails at once (no metadata), never producing anything
        publisher = new CommandPublisher("127.0.0.1:" + FreePorts.next(), "commands", 1_000, 5, "admission-test");
        requestIds = new RequestIdReservations(redis, 60_000, 60_000);
        PushAcceptor acceptor = new PushAcceptor(new MessageStore(redis, batchRedis, 60_000), requestIds, publisher,
                new MessageIds(System::currentTimeMillis, () -> 1), Runnable::run, System::currentTimeMillis, 3, 5_000,
                registry, new GrpcErrors("api-node"));
        String app = "admission-" + UUID.randomUUID();
        for (String requestId : new String[] {"held-1", "held-2"}) {
            // reserved by a push still on its way to Kafka: the first call waits for it
            server.command("SET " + RedisKeys.request(app, requestId) + " 12345 PX 60000");
        }

        PushAcceptor.Run first = acceptor.batch(app, 2);
        first.add(push("d-1", "held-1"));
        first.add(push("d-2", "held-2"));
        CompletableFuture<PushAcceptor.Run> firstDone = CompletableFuture.supplyAsync(first::start)
                .thenCompose(f -> f);
        await().atMost(Duration.ofSeconds(5)).until(() -> inFlight() == 2.0);

        PushAcceptor.Run second = acceptor.batch(app, 2);
        second.add(push("d-3"));
        second.add(push("d-4"));
        assertThatThrownBy(second::start).isInstanceOfSatisfying(Refusal.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getMessage()).contains("api.max-inflight-pushes").contains("limit 3");
        });
        assertThat(registry.getSampleValue("longlink_api_pushes_refused_total")).isEqualTo(2.0);

        // the first call ends (the earlier push is not accepted within the wait) and frees its share of the limit
        PushAcceptor.Run ended = firstDone.get(30, TimeUnit.SECONDS);
        assertThat(ended.batchResponse().getResultsList()).allSatisfy(r ->
                assertThat(r.getError().getCode()).isEqualTo(Status.Code.UNAVAILABLE.value()));
        await().atMost(Duration.ofSeconds(5)).until(() -> inFlight() == 0.0);

        // alone, a call is admitted even when it is larger than the limit
        PushAcceptor.Run big = acceptor.batch(app, 4);
        for (int i = 0; i < 4; i++) {
            big.add(push("d-" + i));
        }
        CompletableFuture<PushAcceptor.Run> bigDone = CompletableFuture.supplyAsync(big::start).thenCompose(f -> f);
        assertThat(bigDone.get(30, TimeUnit.SECONDS).batchResponse().getResultsCount()).isEqualTo(4);
    }

    private double inFlight() {
        return registry.getSampleValue("longlink_api_pushes_in_flight");
    }

    private static ValidPush push(String device) {
        return push(device, "");
    }

    private static ValidPush push(String device, String requestId) {
        return PushValidator.validate(PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(device)))
                .setPayload(ByteString.copyFromUtf8("x")).setRequestId(requestId).build());
    }
}
