package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.NodeRegistration;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.token.DeviceToken;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.Device;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.RegisterDeviceResponse;
import io.longlink.proto.api.SetAliasRequest;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.device.Platform;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class DeviceApiIntegrationTest {
    private static ApiHarness api;
    private static RedisServer redis;
    private static CreateAppResponse app;
    private static CreateAppResponse other;
    private static DeviceServiceGrpc.DeviceServiceBlockingStub devices;
    private static DeviceServiceGrpc.DeviceServiceBlockingStub otherDevices;

    @BeforeAll
    static void setUp(RedisServer redisServer, TestingServer zk, KafkaCluster kafka) throws Exception {
        redis = redisServer;
        api = new ApiHarness(redis, zk, kafka, Map.of(ApiSettings.ALIAS_MAX_DEVICES, 2));
        app = api.createApp("device-app");
        other = api.createApp("device-other");
        devices = api.stubFor(app, DeviceServiceGrpc::newBlockingStub);
        otherDevices = api.stubFor(other, DeviceServiceGrpc::newBlockingStub);
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    private static Device get(String id) {
        return devices.getDevice(GetDeviceRequest.newBuilder().setDeviceId(id).build());
    }

    @Test
    void registerDevice_whenValid_thenTokenVerifiesWithAppSecretAndRecordKept() {
        long now = System.currentTimeMillis();
        RegisterDeviceResponse r = devices.registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId("phone-1")
                .setPlatform(Platform.ANDROID).build());

        assertThat(DeviceToken.verify(r.getToken(), app.getSecret(), app.getAppKey(), "phone-1", now / 1000))
                .isEqualTo(DeviceToken.Verdict.VALID);
        assertThat(DeviceToken.verify(r.getToken(), other.getSecret(), app.getAppKey(), "phone-1", now / 1000))
                .isEqualTo(DeviceToken.Verdict.BAD);
        assertThat(r.getExpiresAtMs()).isGreaterThan(now + 29L * 86_400_000);
        Device d = get("phone-1");
        assertThat(d.getPlatform()).isEqualTo(Platform.ANDROID);
        assertThat(d.getRegisteredAtMs()).isGreaterThanOrEqualTo(now - 1_000);
    }

    @Test
    void registerDevice_whenPlatformOrIdInvalid_thenInvalidArgument() {
        assertThatThrownBy(() -> devices.registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId("p").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: platform: 0 (expected: one of ANDROID, IOS, WEB, DESKTOP, IOT)");
        assertThatThrownBy(() -> devices.registerDevice(RegisterDeviceRequest.newBuilder().setDeviceId("a b")
                .setPlatform(Platform.IOS).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: device_id: 'a b' (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : -)");
    }

    @Test
    void tags_whenAddedAndRemoved_thenDeviceSetFollows() {
        assertThat(devices.addTags(TagsRequest.newBuilder().setDeviceId("phone-2").addTags("vip").addTags("beta")
                .addTags("vip").build()).getTagsList()).containsExactly("beta", "vip");
        assertThat(redis.command("SISMEMBER " + RedisKeys.tags(app.getAppKey(), "phone-2") + " vip")).isEqualTo(":1");

        assertThat(devices.removeTags(TagsRequest.newBuilder().setDeviceId("phone-2").addTags("beta").build())
                .getTagsList()).containsExactly("vip");
        assertThat(get("phone-2").getTagsList()).containsExactly("vip");
    }

    @Test
    void addTags_whenTheDeviceWouldHoldMoreThan64_thenInvalidArgumentNamingTheLimitAndNothingAdded() {
        TagsRequest.Builder first = TagsRequest.newBuilder().setDeviceId("phone-tags");
        for (int i = 0; i < 63; i++) {
            first.addTags("t" + i);
        }
        assertThat(devices.addTags(first.build()).getTagsCount()).isEqualTo(63);
        TagsRequest twoMore = TagsRequest.newBuilder().setDeviceId("phone-tags").addTags("x").addTags("y").build();

        // conn-nodes index at most 64 tags per device: a 65th would never match a tag push
        assertThatThrownBy(() -> devices.addTags(twoMore))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: tags: the device would hold 65 tags (expected: at most 64 per device)");
        assertThat(get("phone-tags").getTagsCount()).isEqualTo(63);
        // re-adding tags it holds changes nothing and stays within the limit
        assertThat(devices.addTags(TagsRequest.newBuilder().setDeviceId("phone-tags").addTags("t0").addTags("x")
                .build()).getTagsCount()).isEqualTo(64);
    }

    @Test
    void tags_whenEmptyOrMalformed_thenInvalidArgument() {
        assertThatThrownBy(() -> devices.addTags(TagsRequest.newBuilder().setDeviceId("phone-2").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: tags: 0 tags (expected: 1 to 100)");
        assertThatThrownBy(() -> devices.addTags(TagsRequest.newBuilder().setDeviceId("phone-2").addTags("a,b").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: tags[0]: 'a,b' (expected: 1 to 64 characters of A-Z a-z 0-9 . _ : -)");
    }

    @Test
    void setAlias_whenChanged_thenDeviceMovesBetweenAliasSets() {
        assertThat(devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("phone-3").setAlias("alice").build())
                .getPreviousAlias()).isEmpty();
        assertThat(redis.command("SISMEMBER " + RedisKeys.alias(app.getAppKey(), "alice") + " phone-3")).isEqualTo(":1");

        assertThat(devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("phone-3").setAlias("bob").build())
                .getPreviousAlias()).isEqualTo("alice");

        assertThat(redis.command("SISMEMBER " + RedisKeys.alias(app.getAppKey(), "alice") + " phone-3")).isEqualTo(":0");
        assertThat(redis.command("SISMEMBER " + RedisKeys.alias(app.getAppKey(), "bob") + " phone-3")).isEqualTo(":1");
        assertThat(get("phone-3").getAlias()).isEqualTo("bob");

        devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("phone-3").build());
        assertThat(redis.command("SISMEMBER " + RedisKeys.alias(app.getAppKey(), "bob") + " phone-3")).isEqualTo(":0");
        assertThat(get("phone-3").getAlias()).isEmpty();
    }

    @Test
    void setAlias_whenAliasFull_thenResourceExhausted() {
        devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("f1").setAlias("family").build());
        devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("f2").setAlias("family").build());
        devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("f2").setAlias("family").build());

        assertThatThrownBy(() -> devices.setAlias(SetAliasRequest.newBuilder().setDeviceId("f3").setAlias("family").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("RESOURCE_EXHAUSTED: alias: 'family' already holds 2 devices (expected: at most api.alias-max-devices = 2)");
    }

    @Test
    void getDevice_whenRouteToLiveConnNode_thenOnlineWithNodeAndInboxDepth() throws Exception {
        String appKey = app.getAppKey();
        redis.command("SET " + RedisKeys.route(appKey, "phone-4") + " conn-live|c1");
        redis.command("ZADD " + RedisKeys.inbox(appKey, "phone-4") + " 0 " + RedisKeys.inboxMember(1));
        redis.command("ZADD " + RedisKeys.inbox(appKey, "phone-4") + " 0 " + RedisKeys.inboxMember(2));
        redis.command("SET " + RedisKeys.route(appKey, "phone-5") + " conn-dead|c9");

        try (NodeRegistration live = new NodeRegistration(api.zk, new NodeInfo("conn-live", "conn",
                Map.of("device", "127.0.0.1:7000", "grpc", "127.0.0.1:7100"), 0))) {
            live.start(5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> get("phone-4").getOnline());

            Device d = get("phone-4");
            assertThat(d.getNodeId()).isEqualTo("conn-live");
            assertThat(d.getInboxDepth()).isEqualTo(2);
            Device dead = get("phone-5");
            assertThat(dead.getOnline()).isFalse();
            assertThat(dead.getNodeId()).isEqualTo("conn-dead");
        }
    }

    @Test
    void devices_ofAnotherApp_thenInvisibleAndUntouched() {
        devices.addTags(TagsRequest.newBuilder().setDeviceId("shared-id").addTags("mine").build());

        Device seenByOther = otherDevices.getDevice(GetDeviceRequest.newBuilder().setDeviceId("shared-id").build());
        otherDevices.addTags(TagsRequest.newBuilder().setDeviceId("shared-id").addTags("theirs").build());

        assertThat(seenByOther.getTagsList()).isEmpty();
        assertThat(get("shared-id").getTagsList()).isEqualTo(List.of("mine"));
    }
}
