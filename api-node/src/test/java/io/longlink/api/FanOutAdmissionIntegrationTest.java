package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.common.redis.RouterLagReport;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.TagFilter;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fan-out admission by the routers' lag, through real calls: the routers' reports are written to
 * the real Redis as a router writes them (the router side is RouterFanOutIntegrationTest).
 */
@ExtendWith(Infra.class)
class FanOutAdmissionIntegrationTest {
    private static final int MAX_LAG_MS = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ApiHarness api;
    private static RedisStore redis;
    private static String key;

    @BeforeAll
    static void setUp(RedisServer server, TestingServer zk, KafkaCluster kafka) throws Exception {
        api = new ApiHarness(server, zk, kafka, Map.of(ApiSettings.FANOUT_MAX_LAG_MS, MAX_LAG_MS,
                ApiSettings.QUOTA_FANOUTS_PER_S, 1_000));
        redis = RedisStore.open(server.uri(), false, 5_000);
        key = RedisKeys.routerLag(api.commandTopic);
    }

    @AfterEach
    void clearReports() throws Exception {
        redis.async().del(key).get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void tearDown() {
        api.close();
        redis.close();
    }

    private static void report(String router, long behindMs, long atMs) throws Exception {
        redis.async().hset(key, router, new RouterLagReport(behindMs, atMs).encode()).get(5, TimeUnit.SECONDS);
    }

    private static PushRequest broadcast() {
        return PushRequest.newBuilder().setAudience(Audience.newBuilder().setBroadcast(true))
                .setPayload(ByteString.copyFromUtf8("b")).setTtlSeconds(60).build();
    }

    private static PushRequest toTag() {
        return PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setTags(TagFilter.newBuilder().addAnyOf("vip")))
                .setPayload(ByteString.copyFromUtf8("t")).build();
    }

    private static PushRequest toDevice() {
        return PushRequest.newBuilder().setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder()
                .addDeviceIds("d-1"))).setPayload(ByteString.copyFromUtf8("u")).build();
    }

    private static PushServiceGrpc.PushServiceBlockingStub push(CreateAppResponse app) {
        return api.stubFor(app, PushServiceGrpc::newBlockingStub).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static boolean accepted(PushServiceGrpc.PushServiceBlockingStub push, PushRequest r) {
        try {
            return push.push(r).getMessageId() != 0;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    @Test
    void fanOut_whileARouterIsOverTheBoundBehind_thenRefusedWithARetryHintAndUnicastsStillAccepted() throws Exception {
        PushServiceGrpc.PushServiceBlockingStub push = push(api.createApp("lag-refused"));
        assertThat(push.push(broadcast()).getMessageId()).isNotZero();
        report("router-1", 200, System.currentTimeMillis());
        report("router-2", 4_000, System.currentTimeMillis());

        await().atMost(WAIT).until(() -> !accepted(push, broadcast()));
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class, () -> push.push(toTag()));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getStatus().getDescription()).startsWith("api.fanout-max-lag-ms: the routers are 4000 ms"
                + " behind (limit 1000 ms), so this api-node admits 0% of tag and broadcast pushes until they keep"
                + " within 500 ms");
        assertThat(refused.getTrailers().get(GrpcErrors.RETRY_AFTER_MS)).isEqualTo("3500");
        assertThat(push.push(toDevice()).getMessageId()).isNotZero();
        // a batch: the unicast entry accepted, the fan-out entry refused, each with its own result
        PushBatchResponse batch = push.pushBatch(PushBatchRequest.newBuilder().addPushes(toDevice())
                .addPushes(broadcast()).build());
        assertThat(batch.getResults(0).getMessageId()).isNotZero();
        assertThat(batch.getResults(1).getMessageId()).isZero();
        assertThat(batch.getResults(1).getError().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
        assertThat(batch.getResults(1).getError().getRetryAfterMs()).isEqualTo(3_500);

        // the backlog drained: the router reports it is back within half the bound
        report("router-2", 300, System.currentTimeMillis());
        await().atMost(WAIT).until(() -> accepted(push, broadcast()));
    }

    @Test
    void fanOut_whenTheOnlyLateReportIsStale_thenAccepted() throws Exception {
        PushServiceGrpc.PushServiceBlockingStub push = push(api.createApp("lag-stale"));
        // a router that stopped reporting 10 s ago (stopped, or cut off from Redis): its last word is not trusted
        report("router-gone", 60_000, System.currentTimeMillis() - 10_000);
        report("router-live", 100, System.currentTimeMillis());
        // the node has read both (it reads every 250 ms) and still accepts
        await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> accepted(push, toTag()));
    }
}
