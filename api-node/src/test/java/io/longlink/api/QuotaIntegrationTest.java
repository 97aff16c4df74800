package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.proto.api.AppQuota;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.GetQuotaRequest;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.SetQuotaRequest;
import io.longlink.proto.api.TagFilter;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-app quotas through real calls: refusals with their retry hint, SetQuota/GetQuota, two api-nodes sharing one. */
@ExtendWith(Infra.class)
class QuotaIntegrationTest {
    private static final int AUTH_CACHE_MS = 1_000;
    private static final Map<io.longlink.common.config.Setting<?>, Object> SETTINGS =
            Map.of(ApiSettings.AUTH_CACHE_MS, AUTH_CACHE_MS);

    private static ApiHarness api;

    @BeforeAll
    static void setUp(RedisServer redis, TestingServer zk, KafkaCluster kafka) throws Exception {
        api = new ApiHarness(redis, zk, kafka, SETTINGS);
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    private static PushRequest toDevices(String... devices) {
        return PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addAllDeviceIds(List.of(devices))))
                .setPayload(ByteString.copyFromUtf8("q")).build();
    }

    private static PushRequest toTag(String tag) {
        return PushRequest.newBuilder().setAudience(Audience.newBuilder().setTags(TagFilter.newBuilder().addAnyOf(tag)))
                .setPayload(ByteString.copyFromUtf8("q")).build();
    }

    private static PushBatchRequest batch(PushRequest... entries) {
        return PushBatchRequest.newBuilder().addAllPushes(List.of(entries)).build();
    }

    private static PushBatchRequest batchToDevices(int n) {
        PushBatchRequest.Builder b = PushBatchRequest.newBuilder();
        for (int i = 0; i < n; i++) {
            b.addPushes(toDevices("d-" + i));
        }
        return b.build();
    }

    private static PushServiceGrpc.PushServiceBlockingStub push(ApiHarness node, CreateAppResponse app) {
        return node.stubFor(app, PushServiceGrpc::newBlockingStub).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static AppQuota setQuota(ApiHarness node, SetQuotaRequest.Builder request) {
        return node.admin().setQuota(request.build());
    }

    private static long accepted(PushBatchResponse r) {
        return r.getResultsList().stream().filter(res -> !res.hasError()).count();
    }

    @Test
    void push_whenOverTheAppsPushRate_thenResourceExhaustedWithRetryTrailersAndAcceptedAgainAfterThem() {
        CreateAppResponse app = api.createApp("quota-rate");
        setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setPushesPerS(1));
        PushServiceGrpc.PushServiceBlockingStub push = push(api, app);
        assertThat(push.push(toDevices("d-1")).getMessageId()).isNotZero();

        StatusRuntimeException refused = catchRefusal(() -> push.push(toDevices("d-1")));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getStatus().getDescription()).startsWith("quota pushes_per_s: this app's 1 pushes per second");
        Metadata trailers = refused.getTrailers();
        long retryAfter = Long.parseLong(trailers.get(GrpcErrors.RETRY_AFTER_MS));
        assertThat(retryAfter).isBetween(1L, 1_000L);
        assertThat(trailers.get(GrpcErrors.RETRY_PUSHBACK_MS)).isEqualTo(Long.toString(retryAfter));
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(retryAfter)).pollInterval(
                Duration.ofMillis(50)).ignoreException(StatusRuntimeException.class)
                .until(() -> push.push(toDevices("d-1")).getMessageId() != 0);
    }

    @Test
    void pushBatch_whenEntriesExceedTheRate_thenTheLastEntriesRefusedEachWithItsRetryHint() {
        CreateAppResponse app = api.createApp("quota-batch");
        setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setPushesPerS(5));

        PushBatchResponse r = push(api, app).pushBatch(batchToDevices(8));

        assertThat(r.getResultsList().subList(0, 5)).allSatisfy(res -> assertThat(res.getMessageId()).isNotZero());
        assertThat(r.getResultsList().subList(5, 8)).allSatisfy(res -> {
            assertThat(res.getMessageId()).isZero();
            assertThat(res.getError().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
            assertThat(res.getError().getMessage()).startsWith("quota pushes_per_s");
            assertThat(res.getError().getRetryAfterMs()).isBetween(1, 1_000);
        });
    }

    @Test
    void push_whenOverTheFanOutRate_thenTagPushesRefusedAndDevicePushesStillAccepted() {
        CreateAppResponse app = api.createApp("quota-fanout");
        setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setFanoutsPerS(1));

        PushBatchResponse r = push(api, app).pushBatch(batch(toTag("vip"), toTag("vip"), toDevices("d-1")));

        assertThat(r.getResults(0).getMessageId()).isNotZero();
        assertThat(r.getResults(1).getError().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
        assertThat(r.getResults(1).getError().getMessage()).startsWith("quota fanouts_per_s");
        assertThat(r.getResults(2).getMessageId()).isNotZero();
        StatusRuntimeException unary = catchRefusal(() -> push(api, app).push(toTag("vip")));
        assertThat(unary.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(unary.getTrailers().get(GrpcErrors.RETRY_AFTER_MS)).isNotNull();
    }

    @Test
    void push_whenNamingMoreDevicesThanDevicesPerCall_thenResourceExhaustedWithoutRetryHint() {
        CreateAppResponse app = api.createApp("quota-devices");
        setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setDevicesPerCall(2));
        PushServiceGrpc.PushServiceBlockingStub push = push(api, app);

        StatusRuntimeException refused = catchRefusal(() -> push.push(toDevices("a", "b", "c")));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getStatus().getDescription()).isEqualTo("audience.devices: 3 names (expected: at most 2,"
                + " this app's quota devices_per_call; split the push)");
        assertThat(refused.getTrailers().get(GrpcErrors.RETRY_AFTER_MS)).isNull();
        assertThat(push.push(toDevices("a", "b")).getMessageId()).isNotZero();
    }

    @Test
    void push_whenWithinTheDefaultQuota_thenEveryPushAccepted() {
        CreateAppResponse app = api.createApp("quota-default");

        PushBatchResponse r = push(api, app).pushBatch(batchToDevices(1_000));

        assertThat(r.getResultsList()).extracting(PushResult::hasError).containsOnly(false);
    }

    @Test
    void getAndSetQuota_thenDefaultsNamedOwnValuesKeptAndZeroGivesTheDefaultBack() {
        CreateAppResponse app = api.createApp("quota-admin");
        GetQuotaRequest get = GetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).build();
        assertThat(api.admin().getQuota(get)).isEqualTo(AppQuota.newBuilder().setAppKey(app.getAppKey())
                .setPushesPerS(10_000).setFanoutsPerS(10).setDevicesPerCall(1_000)
                .addDefaults("pushes_per_s").addDefaults("fanouts_per_s").addDefaults("devices_per_call").build());

        AppQuota set = setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setPushesPerS(50)
                .setDevicesPerCall(20));
        AppQuota changed = setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setPushesPerS(0)
                .setFanoutsPerS(3));

        assertThat(set.getPushesPerS()).isEqualTo(50);
        assertThat(set.getDefaultsList()).containsExactly("fanouts_per_s");
        assertThat(changed).isEqualTo(AppQuota.newBuilder().setAppKey(app.getAppKey()).setPushesPerS(10_000)
                .setFanoutsPerS(3).setDevicesPerCall(20).addDefaults("pushes_per_s").build());
        assertThat(api.admin().getQuota(get)).isEqualTo(changed);
    }

    @Test
    void setQuota_whenInvalid_thenRefusedAndNothingChanged() {
        CreateAppResponse app = api.createApp("quota-invalid");

        assertThatThrownBy(() -> setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey())
                .setDevicesPerCall(1_001))).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo(
                            "devices_per_call: 1001 (expected: 0 (the default) or 1 to 1000)");
                });
        assertThatThrownBy(() -> setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey())))
                .hasMessageContaining("quota: none given");
        assertThatThrownBy(() -> setQuota(api, SetQuotaRequest.newBuilder().setAppKey("nosuchapp").setPushesPerS(1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThat(api.admin().getQuota(GetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).build())
                .getDefaultsCount()).isEqualTo(3);
    }

    @Test
    void setQuota_thenThisNodeAppliesItAtOnceAndAnotherWithinTheCacheTtl() throws Exception {
        CreateAppResponse app = api.createApp("quota-ttl");
        try (ApiHarness other = api.peer(SETTINGS)) {
            PushServiceGrpc.PushServiceBlockingStub there = push(other, app);
            // the other node caches the app with the default quota
            assertThat(accepted(there.pushBatch(batchToDevices(20)))).isEqualTo(20);

            setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setPushesPerS(2));

            assertThat(accepted(push(api, app).pushBatch(batchToDevices(20)))).isLessThanOrEqualTo(2);
            // within the TTL, with room for a loaded machine's scheduling
            await().atMost(Duration.ofMillis(AUTH_CACHE_MS + 2_000)).pollInterval(Duration.ofMillis(50))
                    .until(() -> accepted(there.pushBatch(batchToDevices(20))) <= 2);
        }
    }

    @Test
    void twoApiNodes_shareAnAppsQuota_eachTakingItsShare() throws Exception {
        CreateAppResponse alone = api.createApp("quota-alone");
        CreateAppResponse shared = api.createApp("quota-shared");
        for (CreateAppResponse app : List.of(alone, shared)) {
            setQuota(api, SetQuotaRequest.newBuilder().setAppKey(app.getAppKey()).setPushesPerS(20));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> api.node.liveApiNodes() == 1);
        assertThat(accepted(push(api, alone).pushBatch(batchToDevices(30)))).isEqualTo(20);

        try (ApiHarness other = api.peer(SETTINGS)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> api.node.liveApiNodes() == 2 && other.node.liveApiNodes() == 2);

            long here = accepted(push(api, shared).pushBatch(batchToDevices(30)));
            long there = accepted(push(other, shared).pushBatch(batchToDevices(30)));

            assertThat(here).isEqualTo(10);
            assertThat(there).isEqualTo(10);
        }
    }

    private static StatusRuntimeException catchRefusal(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call was accepted");
    }
}
