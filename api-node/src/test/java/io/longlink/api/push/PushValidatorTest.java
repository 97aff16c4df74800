package io.longlink.api.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.api.AliasList;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.Notification;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.TagFilter;
import io.longlink.proto.command.PushCommand;
import java.util.Collections;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PushValidatorTest {
    private static PushRequest.Builder valid() {
        return PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds("dev-1")))
                .setPayload(ByteString.copyFromUtf8("hello"));
    }

    private static Audience devices(String... ids) {
        return Audience.newBuilder().setDevices(DeviceList.newBuilder().addAllDeviceIds(java.util.List.of(ids))).build();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(valid().clearAudience(), "audience: missing (expected: one of devices, aliases, tags, broadcast)"),
                Arguments.of(valid().setAudience(Audience.newBuilder()), "audience: empty (expected: one of devices, aliases, tags, broadcast)"),
                Arguments.of(valid().setAudience(devices()), "audience.devices: 0 device ids (expected: 1 to 1000)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder()
                        .addAllDeviceIds(Collections.nCopies(1001, "d")))), "audience.devices: 1001 device ids (expected: 1 to 1000)"),
                Arguments.of(valid().setAudience(devices("ok", "bad id")),
                        "audience.devices[1]: 'bad id' (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : -)"),
                Arguments.of(valid().setAudience(devices("a{b}")),
                        "audience.devices[0]: 'a{b}' (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : -)"),
                Arguments.of(valid().setAudience(devices("x".repeat(129))),
                        "audience.devices[0]: '" + "x".repeat(64) + "'... (129 characters) (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : -)"),
                Arguments.of(valid().setAudience(devices("")), "audience.devices[0]: '' (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : -)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setAliases(AliasList.newBuilder())),
                        "audience.aliases: 0 aliases (expected: 1 to 1000)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setAliases(AliasList.newBuilder().addAliases("a\nb"))),
                        "audience.aliases[0]: 'a\\u000ab' (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : - @ +)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setTags(TagFilter.newBuilder().addNoneOf("x"))),
                        "audience.tags: no tag in any_of or all_of (expected: at least one tag in any_of or all_of)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setTags(TagFilter.newBuilder()
                        .addAllAnyOf(Collections.nCopies(33, "t")))), "audience.tags.any_of: 33 tags (expected: 0 to 32)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setTags(TagFilter.newBuilder().addAllOf("sp ace"))),
                        "audience.tags.all_of[0]: 'sp ace' (expected: 1 to 64 characters of A-Z a-z 0-9 . _ : -)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setBroadcast(false)),
                        "audience.broadcast: false (expected: true)"),
                Arguments.of(valid().setPayload(ByteString.copyFrom(new byte[5000])),
                        "payload: 5000 bytes (expected: at most 4096)"),
                Arguments.of(valid().setPayload(ByteString.EMPTY),
                        "payload: empty and no notification (expected: a payload, a notification or both)"),
                Arguments.of(valid().setPayload(ByteString.EMPTY).setNotification(Notification.newBuilder()),
                        "payload: empty and no notification (expected: a payload, a notification or both)"),
                Arguments.of(valid().setNotification(Notification.newBuilder().setTitle("t".repeat(257))),
                        "notification.title: 257 characters (expected: at most 256)"),
                Arguments.of(valid().setNotification(Notification.newBuilder().setBody("b".repeat(2049))),
                        "notification.body: 2049 characters (expected: at most 2048)"),
                Arguments.of(valid().setTtlSeconds(864_001),
                        "ttl_seconds: 864001 (expected: 0 (online devices only) to 864000)"),
                Arguments.of(valid().setTtlSeconds(-1),
                        "ttl_seconds: 4294967295 (expected: 0 (online devices only) to 864000)"),
                Arguments.of(valid().setCollapseKey("k/1"),
                        "collapse_key: 'k/1' (expected: 1 to 64 characters of A-Z a-z 0-9 . _ : -)"),
                Arguments.of(valid().setPriorityValue(7),
                        "priority: 7 (expected: one of PRIORITY_UNSPECIFIED, PRIORITY_NORMAL, PRIORITY_HIGH)"),
                Arguments.of(valid().setRequestId("r".repeat(129)),
                        "request_id: '" + "r".repeat(64) + "'... (129 characters) (expected: 1 to 128 characters of A-Z a-z 0-9 . _ : -)"),
                Arguments.of(valid().setSpreadMs(1000),
                        "spread_ms: 1000 with a devices audience (expected: 0 unless the audience is tags or broadcast)"),
                Arguments.of(valid().setAudience(Audience.newBuilder().setBroadcast(true)).setSpreadMs(600_001),
                        "spread_ms: 600001 (expected: 0 to 600000)"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void validate_whenFieldInvalid_thenInvalidArgumentNamingFieldAndExpectation(PushRequest.Builder request, String message) {
        assertThatThrownBy(() -> PushValidator.validate(request.build()))
                .isInstanceOf(Refusal.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((Refusal) e).code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void validate_whenOneDevice_thenKeyedByAppAndDeviceWithDefaultTtl() {
        ValidPush v = PushValidator.validate(valid().build());

        PushCommand c = v.command("app1", 42L, 1_000L);
        assertThat(v.recordKey("app1")).isEqualTo("app1:dev-1");
        assertThat(c.getAppKey()).isEqualTo("app1");
        assertThat(c.getTtlSeconds()).isEqualTo(86_400);
        assertThat(c.getPush().getMessageId()).isEqualTo(42L);
        assertThat(c.getPush().getSentAtMs()).isEqualTo(1_000L);
        assertThat(c.getPush().getExpiresAtMs()).isEqualTo(1_000L + 86_400_000L);
        assertThat(c.getPush().getPayload().toStringUtf8()).isEqualTo("hello");
    }

    @Test
    void validate_whenDuplicateDevices_thenDistinctAndKeyedByApp() {
        ValidPush v = PushValidator.validate(valid().setAudience(devices("a", "b", "a")).build());

        assertThat(v.template().getDevices().getIdsList()).containsExactly("a", "b");
        assertThat(v.recordKey("app1")).isEqualTo("app1");
    }

    @Test
    void validate_whenSameDeviceRepeated_thenTreatedAsOneDevice() {
        ValidPush v = PushValidator.validate(valid().setAudience(devices("a", "a")).build());

        assertThat(v.recordKey("app1")).isEqualTo("app1:a");
    }

    @Test
    void validate_whenTtlZero_thenOnlineOnlyWithoutExpiry() {
        ValidPush v = PushValidator.validate(valid().setTtlSeconds(0).build());

        PushCommand c = v.command("app1", 1L, 5_000L);
        assertThat(c.getTtlSeconds()).isZero();
        assertThat(c.getPush().getExpiresAtMs()).isZero();
    }

    @Test
    void validate_whenBoundaryValues_thenAccepted() {
        ValidPush v = PushValidator.validate(valid()
                .setPayload(ByteString.copyFrom(new byte[4096]))
                .setTtlSeconds(864_000)
                .setCollapseKey("k".repeat(64))
                .setNotification(Notification.newBuilder().setTitle("t".repeat(256)).setBody("b".repeat(2048)))
                .setAudience(Audience.newBuilder().setTags(TagFilter.newBuilder().addAnyOf("vip").addNoneOf("muted")))
                .setSpreadMs(600_000)
                .setRequestId("req-1")
                .build());

        assertThat(v.template().getSpreadMs()).isEqualTo(600_000);
        assertThat(v.template().getTags().getAnyOfList()).containsExactly("vip");
        assertThat(v.template().getPush().getCollapseKey()).hasSize(64);
        assertThat(v.requestId()).isEqualTo("req-1");
    }
}
