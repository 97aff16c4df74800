package io.longlink.api;

import static io.longlink.api.ApiHarness.asAdmin;
import static io.longlink.api.ApiHarness.asApp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.Device;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RotateSecretRequest;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class AuthIntegrationTest {
    private static ApiHarness api;
    private static CreateAppResponse app;
    private static CreateAppResponse other;

    @BeforeAll
    static void setUp(RedisServer redis, TestingServer zk, KafkaCluster kafka) throws Exception {
        api = new ApiHarness(redis, zk, kafka, Map.of());
        app = api.createApp("auth-app");
        other = api.createApp("other-app");
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    private static PushRequest push() {
        return PushRequest.newBuilder().setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds("d1")))
                .setPayload(ByteString.copyFromUtf8("x")).build();
    }

    private static void assertStatus(ThrowingCallable call, Status.Code code, String messagePart) {
        assertThatThrownBy(call).isInstanceOf(StatusRuntimeException.class).satisfies(e -> {
            Status s = ((StatusRuntimeException) e).getStatus();
            assertThat(s.getCode()).isEqualTo(code);
            assertThat(s.getDescription()).contains(messagePart);
        });
    }

    @Test
    void push_whenNoCredentials_thenUnauthenticatedNamingTheHeader() {
        assertStatus(() -> PushServiceGrpc.newBlockingStub(api.channel).push(push()), Status.Code.UNAUTHENTICATED,
                "x-longlink-app-key: missing");
    }

    @Test
    void push_whenSecretMissing_thenUnauthenticated() {
        assertStatus(() -> asApp(PushServiceGrpc.newBlockingStub(api.channel), app.getAppKey(), null).push(push()),
                Status.Code.UNAUTHENTICATED, "x-longlink-app-secret: missing");
    }

    @Test
    void push_whenSecretWrong_thenUnauthenticated() {
        assertStatus(() -> asApp(PushServiceGrpc.newBlockingStub(api.channel), app.getAppKey(), "wrong").push(push()),
                Status.Code.UNAUTHENTICATED, "does not match app '" + app.getAppKey() + "'");
    }

    @Test
    void push_whenAnotherAppsSecretUnderThisKey_thenUnauthenticated() {
        assertStatus(() -> asApp(PushServiceGrpc.newBlockingStub(api.channel), app.getAppKey(), other.getSecret())
                .push(push()), Status.Code.UNAUTHENTICATED, "does not match");
    }

    @Test
    void push_whenUnknownApp_thenUnauthenticated() {
        assertStatus(() -> asApp(PushServiceGrpc.newBlockingStub(api.channel), "nosuchapp", "s").push(push()),
                Status.Code.UNAUTHENTICATED, "'nosuchapp' (expected: a registered app)");
    }

    @Test
    void push_whenAppKeyMalformed_thenUnauthenticatedWithFormat() {
        assertStatus(() -> asApp(PushServiceGrpc.newBlockingStub(api.channel), "a:b{c}", "s").push(push()),
                Status.Code.UNAUTHENTICATED, "expected: 1 to 64 characters");
    }

    @Test
    void deviceCall_whenNoCredentials_thenUnauthenticated() {
        assertStatus(() -> DeviceServiceGrpc.newBlockingStub(api.channel)
                        .getDevice(GetDeviceRequest.newBuilder().setDeviceId("d").build()),
                Status.Code.UNAUTHENTICATED, "x-longlink-app-key");
    }

    @Test
    void adminCall_whenNoToken_thenUnauthenticated() {
        assertStatus(() -> AppAdminServiceGrpc.newBlockingStub(api.channel)
                        .createApp(CreateAppRequest.newBuilder().setName("x").build()),
                Status.Code.UNAUTHENTICATED, "x-longlink-admin-token: missing");
    }

    @Test
    void adminCall_whenTokenWrong_thenPermissionDenied() {
        assertStatus(() -> asAdmin(AppAdminServiceGrpc.newBlockingStub(api.channel), "guess")
                        .createApp(CreateAppRequest.newBuilder().setName("x").build()),
                Status.Code.PERMISSION_DENIED, "x-longlink-admin-token: does not match");
    }

    @Test
    void adminCall_withAppCredentialsOnly_thenRefused() {
        assertStatus(() -> api.stubFor(app, AppAdminServiceGrpc::newBlockingStub)
                        .rotateSecret(RotateSecretRequest.newBuilder().setAppKey(other.getAppKey()).build()),
                Status.Code.UNAUTHENTICATED, "x-longlink-admin-token");
    }

    @Test
    void rotateSecret_whenRotated_thenOldSecretRefusedAndNewAccepted() {
        CreateAppResponse created = api.createApp("rotating");
        DeviceServiceGrpc.DeviceServiceBlockingStub before = api.stubFor(created, DeviceServiceGrpc::newBlockingStub);
        before.getDevice(GetDeviceRequest.newBuilder().setDeviceId("d").build());

        String fresh = asAdmin(AppAdminServiceGrpc.newBlockingStub(api.channel), ApiHarness.ADMIN_TOKEN)
                .rotateSecret(RotateSecretRequest.newBuilder().setAppKey(created.getAppKey()).build()).getSecret();

        assertThat(fresh).isNotEqualTo(created.getSecret());
        assertStatus(() -> before.getDevice(GetDeviceRequest.newBuilder().setDeviceId("d").build()),
                Status.Code.UNAUTHENTICATED, "does not match");
        assertThat(asApp(DeviceServiceGrpc.newBlockingStub(api.channel), created.getAppKey(), fresh)
                .getDevice(GetDeviceRequest.newBuilder().setDeviceId("d").build()).getDeviceId()).isEqualTo("d");
    }

    @Test
    void deviceCalls_whenManyArriveBeforeTheSecretIsCached_thenEachAuthenticatedOnceItIsRead() throws Exception {
        CreateAppResponse fresh = api.createApp("concurrent");
        DeviceServiceGrpc.DeviceServiceFutureStub right = api.stubFor(fresh, DeviceServiceGrpc::newFutureStub);
        DeviceServiceGrpc.DeviceServiceFutureStub wrong =
                asApp(DeviceServiceGrpc.newFutureStub(api.channel), fresh.getAppKey(), "wrong");
        List<ListenableFuture<Device>> accepted = new ArrayList<>();
        List<ListenableFuture<Device>> refused = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            accepted.add(right.getDevice(GetDeviceRequest.newBuilder().setDeviceId("d" + i).build()));
            refused.add(wrong.getDevice(GetDeviceRequest.newBuilder().setDeviceId("d" + i).build()));
        }

        for (int i = 0; i < accepted.size(); i++) {
            assertThat(accepted.get(i).get(10, TimeUnit.SECONDS).getDeviceId()).isEqualTo("d" + i);
            ListenableFuture<Device> r = refused.get(i);
            assertStatus(() -> {
                try {
                    r.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause();
                }
            }, Status.Code.UNAUTHENTICATED, "does not match");
        }
    }

    @Test
    void rotateSecret_whenAppUnknown_thenNotFound() {
        assertStatus(() -> asAdmin(AppAdminServiceGrpc.newBlockingStub(api.channel), ApiHarness.ADMIN_TOKEN)
                        .rotateSecret(RotateSecretRequest.newBuilder().setAppKey("missing").build()),
                Status.Code.NOT_FOUND, "app_key: 'missing' (expected: an existing app)");
    }

    @Test
    void createApp_whenNameEmpty_thenInvalidArgument() {
        assertStatus(() -> api.createApp(" "),
                Status.Code.INVALID_ARGUMENT, "name: ' ' (expected: 1 to 128 characters, not only spaces)");
    }

    @Test
    void adminCall_whenAdminTokenNotConfigured_thenPermissionDenied(RedisServer redis, TestingServer zk, KafkaCluster kafka)
            throws Exception {
        try (ApiHarness noAdmin = new ApiHarness(redis, zk, kafka, Map.of(ApiSettings.ADMIN_TOKEN, ""))) {
            assertStatus(() -> asAdmin(AppAdminServiceGrpc.newBlockingStub(noAdmin.channel), "anything")
                            .createApp(CreateAppRequest.newBuilder().setName("x").build()),
                    Status.Code.PERMISSION_DENIED, "api.admin-token is not set");
        }
    }
}
