package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longlink.api.id.MessageIds;
import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.api.AliasList;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import io.longlink.proto.api.Notification;
import io.longlink.proto.api.Priority;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RevokeRequest;
import io.longlink.proto.api.TagFilter;
import io.longlink.proto.command.PushCommand;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class PushApiIntegrationTest {
    private static ApiHarness api;
    private static RedisServer redis;
    private static CreateAppResponse app;
    private static CreateAppResponse other;
    private static PushServiceGrpc.PushServiceBlockingStub push;
    private static PushServiceGrpc.PushServiceBlockingStub otherPush;

    @BeforeAll
    static void setUp(RedisServer redisServer, TestingServer zk, KafkaCluster kafka) throws Exception {
        redis = redisServer;
        api = new ApiHarness(redis, zk, kafka, Map.of());
        app = api.createApp("push-app");
        other = api.createApp("push-other");
        push = api.stubFor(app, PushServiceGrpc::newBlockingStub);
        otherPush = api.stubFor(other, PushServiceGrpc::newBlockingStub);
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    private static PushRequest.Builder toDevices(String... ids) {
        return PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addAllDeviceIds(List.of(ids))))
                .setPayload(ByteString.copyFromUtf8("hello"));
    }

    private static List<ConsumerRecord<byte[], byte[]>> recordsOf(long id) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : api.commandRecords()) {
            if (PushCommand.parseFrom(r.value()).getPush().getMessageId() == id) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void push_whenAnswered_thenKafkaAlreadyHoldsTheCommandKeyedByAppAndDevice() throws Exception {
        long before = System.currentTimeMillis();
        PushResponse r = push.push(toDevices("phone-1").setCollapseKey("score").setPriority(Priority.PRIORITY_HIGH)
                .setNotification(Notification.newBuilder().setTitle("Goal").setBody("1:0")).build());

        // read right after the answer, without waiting: the answer came after the broker's ack
        List<ConsumerRecord<byte[], byte[]>> records = recordsOf(r.getMessageId());
        assertThat(records).hasSize(1);
        assertThat(ApiHarness.key(records.get(0))).isEqualTo(app.getAppKey() + ":phone-1");
        PushCommand c = PushCommand.parseFrom(records.get(0).value());
        assertThat(c.getAppKey()).isEqualTo(app.getAppKey());
        assertThat(c.getDevices().getIdsList()).containsExactly("phone-1");
        assertThat(c.getTtlSeconds()).isEqualTo(86_400);
        assertThat(c.getPriority()).isEqualTo(Priority.PRIORITY_HIGH);
        assertThat(c.getPush().getCollapseKey()).isEqualTo("score");
        assertThat(c.getPush().getNotification().getTitle()).isEqualTo("Goal");
        assertThat(c.getPush().getPayload().toStringUtf8()).isEqualTo("hello");
        assertThat(c.getPush().getExpiresAtMs()).isEqualTo(c.getPush().getSentAtMs() + 86_400_000L);
        assertThat(MessageIds.timestampMs(r.getMessageId())).isBetween(before, System.currentTimeMillis());
        assertThat(MessageIds.worker(r.getMessageId())).isEqualTo(api.node.workerId());
        assertThat(r.getDuplicate()).isFalse();
    }

    @Test
    void push_whenSeveralDevicesAliasesOrTags_thenKeyedByApp() throws Exception {
        long a = push.push(toDevices("a", "b").build()).getMessageId();
        long b = push.push(toDevices().setAudience(Audience.newBuilder().setAliases(AliasList.newBuilder().addAliases("u@x")))
                .build()).getMessageId();
        long c = push.push(toDevices().setAudience(Audience.newBuilder().setTags(TagFilter.newBuilder().addAnyOf("vip")))
                .setSpreadMs(2_000).setTtlSeconds(0).build()).getMessageId();

        assertThat(ApiHarness.key(recordsOf(a).get(0))).isEqualTo(app.getAppKey());
        assertThat(ApiHarness.key(recordsOf(b).get(0))).isEqualTo(app.getAppKey());
        PushCommand tags = PushCommand.parseFrom(recordsOf(c).get(0).value());
        assertThat(tags.getTags().getAnyOfList()).containsExactly("vip");
        assertThat(tags.getSpreadMs()).isEqualTo(2_000);
        assertThat(tags.getTtlSeconds()).isZero();
        assertThat(tags.getPush().getExpiresAtMs()).isZero();
        assertThat(a).isLessThan(b).isLessThan(c);
    }

    @Test
    void push_whenRetriedWithSameRequestId_thenSameIdAndOneCommand() throws Exception {
        PushRequest req = toDevices("phone-2").setRequestId("order-1001").build();

        PushResponse first = push.push(req);
        PushResponse retry = push.push(req);

        assertThat(retry.getMessageId()).isEqualTo(first.getMessageId());
        assertThat(first.getDuplicate()).isFalse();
        assertThat(retry.getDuplicate()).isTrue();
        assertThat(recordsOf(first.getMessageId())).hasSize(1);
    }

    @Test
    void push_whenFiveParallelCallsShareARequestId_thenOneCommandAndOneIdForAll() throws Exception {
        PushRequest req = toDevices("phone-par").setRequestId("parallel-1").build();
        ExecutorService callers = Executors.newFixedThreadPool(5);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<PushResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                calls.add(callers.submit(() -> {
                    go.await();
                    return push.withDeadlineAfter(20, TimeUnit.SECONDS).push(req);
                }));
            }
            go.countDown();
            List<PushResponse> answers = new ArrayList<>();
            for (Future<PushResponse> c : calls) {
                answers.add(c.get(30, TimeUnit.SECONDS));
            }

            long id = answers.get(0).getMessageId();
            assertThat(answers).extracting(PushResponse::getMessageId).containsOnly(id);
            assertThat(answers).filteredOn(a -> !a.getDuplicate()).hasSize(1);
            // only the caller that reserved the request id produced: the device gets one copy
            assertThat(recordsOf(id)).hasSize(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void push_whenSameRequestIdFromAnotherApp_thenIndependentId() {
        PushRequest req = toDevices("phone-3").setRequestId("shared-id").build();

        long mine = push.push(req).getMessageId();
        PushResponse theirs = otherPush.push(req);

        assertThat(theirs.getMessageId()).isNotEqualTo(mine);
        assertThat(theirs.getDuplicate()).isFalse();
    }

    @Test
    void push_whenEarlierAttemptReservedIdButNeverReachedKafka_thenRetryPublishesUnderThatId() throws Exception {
        long reserved = push.push(toDevices("warmup").build()).getMessageId() + 4096;
        redis.command("SET " + RedisKeys.request(app.getAppKey(), "lost-1") + " " + Long.toUnsignedString(reserved));

        PushResponse retry = push.push(toDevices("phone-4").setRequestId("lost-1").build());

        assertThat(retry.getMessageId()).isEqualTo(reserved);
        assertThat(retry.getDuplicate()).isTrue();
        assertThat(recordsOf(reserved)).hasSize(1);
        assertThat(push.push(toDevices("phone-4").setRequestId("lost-1").build()).getMessageId()).isEqualTo(reserved);
        assertThat(recordsOf(reserved)).hasSize(1);
    }

    @Test
    void push_whenPayloadTooLarge_thenInvalidArgumentWithSizesAndNothingPublished() {
        int before = api.commandRecords().size();

        assertThatThrownBy(() -> push.push(toDevices("d").setPayload(ByteString.copyFrom(new byte[5000])).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> {
                    Status s = ((StatusRuntimeException) e).getStatus();
                    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(s.getDescription()).isEqualTo("payload: 5000 bytes (expected: at most 4096)");
                });
        assertThat(api.commandRecords()).hasSize(before);
    }

    @Test
    void push_whenTooManyDevices_thenInvalidArgument() {
        String[] ids = new String[1001];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "d" + i;
        }
        assertThatThrownBy(() -> push.push(toDevices(ids).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: audience.devices: 1001 device ids (expected: 1 to 1000)");
    }

    @Test
    void status_whenPushed_thenOwnerAndTimesRecordedAndRouterCountersShown() {
        long id = push.push(toDevices("phone-5").build()).getMessageId();
        redis.command("HINCRBY " + RedisKeys.stat(id) + " targeted 1");
        redis.command("HINCRBY " + RedisKeys.stat(id) + " stored 1");

        MessageStatus s = push.getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(id).build());

        assertThat(s.getMessageId()).isEqualTo(id);
        assertThat(s.getTargeted()).isEqualTo(1);
        assertThat(s.getStored()).isEqualTo(1);
        assertThat(s.getOnline()).isZero();
        assertThat(s.getCreatedAtMs()).isPositive();
        assertThat(s.getAcceptedAtMs()).isGreaterThanOrEqualTo(s.getCreatedAtMs());
        assertThat(Long.parseLong(redis.command("PTTL " + RedisKeys.stat(id)).substring(1)))
                .isGreaterThan(86_400_000L);
    }

    @Test
    void status_whenCopiesDroppedAndLogEntryTrimmed_thenBothShown() {
        long id = push.push(toDevices("phone-drop").build()).getMessageId();
        redis.command("HINCRBY " + RedisKeys.stat(id) + " " + RedisKeys.STAT_DROPPED + " 2");
        redis.command("HSET " + RedisKeys.stat(id) + " " + RedisKeys.STAT_LOG_TRIMMED_MS + " 1700000000123");

        MessageStatus s = push.getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(id).build());

        assertThat(s.getDropped()).isEqualTo(2);
        assertThat(s.getLogTrimmedAtMs()).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void status_whenAnotherAppsMessage_thenPermissionDenied() {
        long id = push.push(toDevices("phone-6").build()).getMessageId();

        assertThatThrownBy(() -> otherPush.getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(id).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("PERMISSION_DENIED: message_id: " + id + " belongs to another app");
        assertThatThrownBy(() -> otherPush.revoke(RevokeRequest.newBuilder().setMessageId(id).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageStartingWith("PERMISSION_DENIED");
    }

    @Test
    void status_whenUnknownOrZeroId_thenNotFoundOrInvalid() {
        assertThatThrownBy(() -> push.getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(12345).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageStartingWith("NOT_FOUND: message_id: 12345");
        assertThatThrownBy(() -> push.revoke(RevokeRequest.newBuilder().build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: message_id: 0 (expected: a message id answered by Push)");
    }

    @Test
    void push_fromAnotherApp_thenCommandCarriesThatAppOnly() throws Exception {
        long id = otherPush.push(toDevices("phone-1").build()).getMessageId();

        ConsumerRecord<byte[], byte[]> r = recordsOf(id).get(0);
        assertThat(PushCommand.parseFrom(r.value()).getAppKey()).isEqualTo(other.getAppKey());
        assertThat(ApiHarness.key(r)).isEqualTo(other.getAppKey() + ":phone-1");
    }

    @Test
    void revoke_whenBodyStored_thenBodyReplacedByTombstoneAndRevokeTimeKeptFromTheFirstCall() {
        long id = push.push(toDevices("phone-7").build()).getMessageId();
        redis.command("SET " + RedisKeys.message(id) + " body");

        boolean first = push.revoke(RevokeRequest.newBuilder().setMessageId(id).build()).getBodyRemoved();
        long revokedAt = push.getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(id).build())
                .getRevokedAtMs();
        boolean second = push.revoke(RevokeRequest.newBuilder().setMessageId(id).build()).getBodyRemoved();

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(redis.command("STRLEN " + RedisKeys.message(id))).as("the tombstone: an empty value").isEqualTo(":0");
        assertThat(redis.command("EXISTS " + RedisKeys.message(id))).isEqualTo(":1");
        MessageStatus s = push.getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(id).build());
        assertThat(revokedAt).isPositive();
        assertThat(s.getRevokedAtMs()).isEqualTo(revokedAt);
        assertThat(s.getRevoked()).as("copies withdrawn: counted by conn-nodes as they skip them").isZero();
    }

    @Test
    void revoke_whenNoBodyYet_thenTombstoneLivesAsLongAsTheStatus() {
        long id = push.push(toDevices("phone-8").build()).getMessageId();
        redis.command("DEL " + RedisKeys.message(id)); // not routed yet (no router runs here)
        long statusTtl = Long.parseLong(redis.command("PTTL " + RedisKeys.stat(id)).substring(1));

        boolean removed = push.revoke(RevokeRequest.newBuilder().setMessageId(id).build()).getBodyRemoved();

        assertThat(removed).isFalse();
        assertThat(redis.command("STRLEN " + RedisKeys.message(id))).isEqualTo(":0");
        assertThat(redis.command("EXISTS " + RedisKeys.message(id))).isEqualTo(":1");
        long tombstoneTtl = Long.parseLong(redis.command("PTTL " + RedisKeys.message(id)).substring(1));
        // taken from the status hash's TTL at Revoke time: at most what it was before, and close to it
        assertThat(tombstoneTtl).as("a router admitting the message later must still find it")
                .isBetween(statusTtl - 60_000, statusTtl);
    }
}
