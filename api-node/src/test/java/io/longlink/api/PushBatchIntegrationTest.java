package io.longlink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RevokeRequest;
import io.longlink.proto.command.PushCommand;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class PushBatchIntegrationTest {
    private static ApiHarness api;
    private static RedisServer redis;
    private static TestingServer zk;
    private static KafkaCluster kafka;
    private static CreateAppResponse app;
    private static PushServiceGrpc.PushServiceBlockingStub push;
    private static PushServiceGrpc.PushServiceBlockingStub otherPush;

    @BeforeAll
    static void setUp(RedisServer redisServer, TestingServer zkServer, KafkaCluster kafkaCluster) throws Exception {
        redis = redisServer;
        zk = zkServer;
        kafka = kafkaCluster;
        api = new ApiHarness(redis, zk, kafka, Map.of());
        app = api.createApp("batch-app");
        CreateAppResponse other = api.createApp("batch-other");
        push = api.stubFor(app, PushServiceGrpc::newBlockingStub)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        otherPush = api.stubFor(other, PushServiceGrpc::newBlockingStub);
    }

    @AfterAll
    static void tearDown() {
        api.close();
    }

    private static PushRequest.Builder toDevice(String device, String payload) {
        return PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(device)))
                .setPayload(ByteString.copyFromUtf8(payload));
    }

    private static PushBatchRequest batch(PushRequest.Builder... entries) {
        PushBatchRequest.Builder b = PushBatchRequest.newBuilder();
        for (PushRequest.Builder e : entries) {
            b.addPushes(e);
        }
        return b.build();
    }

    /** Commands of the topic under {@code key}, in topic order (one key = one partition). */
    private static List<PushCommand> commandsKeyed(String key) throws Exception {
        List<PushCommand> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : api.commandRecords()) {
            if (ApiHarness.key(r).equals(key)) {
                out.add(PushCommand.parseFrom(r.value()));
            }
        }
        return out;
    }

    private static String payloadOf(PushCommand c) {
        return c.getPush().getPayload().toStringUtf8();
    }

    @Test
    void pushBatch_whenAnswered_thenEveryEntryAcceptedWithItsOwnIdAndInKafkaInEntryOrder() throws Exception {
        PushBatchResponse r = push.pushBatch(batch(toDevice("order-1", "m0"), toDevice("order-2", "x0"),
                toDevice("order-1", "m1"), toDevice("order-1", "m2"), toDevice("order-2", "x1")));

        assertThat(r.getResultsList()).hasSize(5).allSatisfy(res -> {
            assertThat(res.hasError()).isFalse();
            assertThat(res.getDuplicate()).isFalse();
            assertThat(res.getMessageId()).isNotZero();
        });
        List<Long> ids = r.getResultsList().stream().map(PushResult::getMessageId).toList();
        assertThat(new HashSet<>(ids)).hasSize(5);
        // read right after the answer, without waiting: the answer came after the broker's acks
        List<PushCommand> one = commandsKeyed(app.getAppKey() + ":order-1");
        assertThat(one).extracting(PushBatchIntegrationTest::payloadOf).containsExactly("m0", "m1", "m2");
        assertThat(one).extracting(c -> c.getPush().getMessageId()).containsExactly(ids.get(0), ids.get(2), ids.get(3));
        assertThat(commandsKeyed(app.getAppKey() + ":order-2")).extracting(PushBatchIntegrationTest::payloadOf)
                .containsExactly("x0", "x1");
        assertThat(one).allSatisfy(c -> assertThat(c.getAppKey()).isEqualTo(app.getAppKey()));
    }

    @Test
    void pushBatch_whenEntriesWithAndWithoutRequestIdMix_thenKafkaStillHoldsThemInEntryOrder() throws Exception {
        PushBatchResponse r = push.pushBatch(batch(toDevice("mixed", "r0").setRequestId("mix-0"),
                toDevice("mixed", "p1"), toDevice("mixed", "r2").setRequestId("mix-2"), toDevice("mixed", "p3")));

        assertThat(r.getResultsList()).noneMatch(PushResult::hasError);
        assertThat(commandsKeyed(app.getAppKey() + ":mixed")).extracting(PushBatchIntegrationTest::payloadOf)
                .containsExactly("r0", "p1", "r2", "p3");
    }

    @Test
    void pushBatch_whenEntriesWithAndWithoutRequestIdMix_thenTheirIdsAscendInEntryOrderToo() {
        PushBatchResponse r = push.pushBatch(batch(toDevice("mixed-ids", "p0"),
                toDevice("mixed-ids", "r1").setRequestId("mix-ids-1"), toDevice("mixed-ids", "p2"),
                toDevice("mixed-ids", "r3").setRequestId("mix-ids-3"), toDevice("mixed-ids", "p4")));

        // nothing may order by id, but a reader that still does sees entry order
        assertThat(r.getResultsList()).noneMatch(PushResult::hasError)
                .extracting(PushResult::getMessageId).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void pushBatch_whenOneEntryInvalid_thenItAloneIsRefusedWithThePushErrorAndTheOthersAccepted() throws Exception {
        String tooLarge = "payload: 5000 bytes (expected: at most 4096)";
        assertThatThrownBy(() -> push.push(toDevice("bad", "").setPayload(ByteString.copyFrom(new byte[5000])).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).isEqualTo(tooLarge));

        PushBatchResponse r = push.pushBatch(batch(toDevice("good-1", "g1"),
                toDevice("bad", "").setPayload(ByteString.copyFrom(new byte[5000])),
                toDevice("good-2", "g2"),
                PushRequest.newBuilder().setPayload(ByteString.copyFromUtf8("nobody"))));

        assertThat(r.getResultsCount()).isEqualTo(4);
        assertThat(r.getResults(0).hasError()).isFalse();
        assertThat(r.getResults(2).hasError()).isFalse();
        assertThat(r.getResults(1).getMessageId()).isZero();
        assertThat(r.getResults(1).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(r.getResults(1).getError().getMessage()).isEqualTo(tooLarge);
        assertThat(r.getResults(3).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(r.getResults(3).getError().getMessage())
                .isEqualTo("audience: missing (expected: one of devices, aliases, tags, broadcast)");
        assertThat(commandsKeyed(app.getAppKey() + ":good-1")).extracting(PushBatchIntegrationTest::payloadOf).containsExactly("g1");
        assertThat(commandsKeyed(app.getAppKey() + ":good-2")).extracting(PushBatchIntegrationTest::payloadOf).containsExactly("g2");
        assertThat(commandsKeyed(app.getAppKey() + ":bad")).isEmpty();
        assertThat(api.node.metrics().getSampleValue("longlink_api_batch_pushes_total", new String[] {"code"},
                new String[] {"INVALID_ARGUMENT"})).isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void pushBatch_whenNoEntryOrMoreThan1000_thenWholeCallRefusedAndNothingPublished() {
        int before = api.commandRecords().size();
        PushBatchRequest.Builder tooMany = PushBatchRequest.newBuilder();
        for (int i = 0; i < 1001; i++) {
            tooMany.addPushes(toDevice("many-" + i, "p"));
        }

        assertThatThrownBy(() -> push.pushBatch(PushBatchRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: pushes: 0 entries (expected: 1 to 1000)");
        assertThatThrownBy(() -> push.pushBatch(tooMany.build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("INVALID_ARGUMENT: pushes: 1001 entries (expected: 1 to 1000)");
        assertThat(api.commandRecords()).hasSize(before);
    }

    @Test
    void pushBatch_whenFullBatchOfLargestPayloads_thenItFitsTheRequestLimitAndIsAccepted() {
        PushBatchRequest.Builder full = PushBatchRequest.newBuilder();
        ByteString payload = ByteString.copyFrom(new byte[4096]);
        for (int i = 0; i < 1000; i++) {
            full.addPushes(toDevice("full-" + i, "").setPayload(payload));
        }

        PushBatchResponse r = push.pushBatch(full.build());

        assertThat(r.getResultsList()).hasSize(1000).noneMatch(PushResult::hasError);
        assertThat(r.getResultsList().stream().map(PushResult::getMessageId).distinct().count()).isEqualTo(1000);
    }

    @Test
    void pushBatch_idsBelongToTheCallingAppOnly() throws Exception {
        PushBatchResponse r = push.pushBatch(batch(toDevice("private-1", "a"), toDevice("private-2", "b")));

        for (PushResult res : r.getResultsList()) {
            GetMessageStatusRequest q = GetMessageStatusRequest.newBuilder().setMessageId(res.getMessageId()).build();
            assertThat(push.getMessageStatus(q).getMessageId()).isEqualTo(res.getMessageId());
            assertThatThrownBy(() -> otherPush.getMessageStatus(q))
                    .isInstanceOf(StatusRuntimeException.class)
                    .hasMessage("PERMISSION_DENIED: message_id: " + Long.toUnsignedString(res.getMessageId())
                            + " belongs to another app");
            assertThatThrownBy(() -> otherPush.revoke(RevokeRequest.newBuilder().setMessageId(res.getMessageId()).build()))
                    .isInstanceOf(StatusRuntimeException.class)
                    .hasMessageStartingWith("PERMISSION_DENIED");
        }
        assertThat(commandsKeyed(app.getAppKey() + ":private-1")).singleElement()
                .satisfies(c -> assertThat(c.getAppKey()).isEqualTo(app.getAppKey()));
    }

    @Test
    void pushBatch_whenRequestIdRetried_thenSameIdsAsDuplicatesAndNoSecondCommand() throws Exception {
        PushResponse unary = push.push(toDevice("retry-1", "u").setRequestId("batch-retry-u").build());
        PushBatchRequest req = batch(toDevice("retry-1", "a").setRequestId("batch-retry-a"),
                toDevice("retry-1", "u").setRequestId("batch-retry-u"), toDevice("retry-1", "plain"));

        PushBatchResponse first = push.pushBatch(req);
        PushBatchResponse retry = push.pushBatch(req);

        assertThat(first.getResults(0).getDuplicate()).isFalse();
        assertThat(first.getResults(1).getMessageId()).isEqualTo(unary.getMessageId());
        assertThat(first.getResults(1).getDuplicate()).isTrue();
        assertThat(retry.getResults(0).getMessageId()).isEqualTo(first.getResults(0).getMessageId());
        assertThat(retry.getResults(0).getDuplicate()).isTrue();
        assertThat(retry.getResults(1).getMessageId()).isEqualTo(unary.getMessageId());
        assertThat(retry.getResults(1).getDuplicate()).isTrue();
        // without a request_id an entry is a new push every time
        assertThat(retry.getResults(2).getMessageId()).isNotEqualTo(first.getResults(2).getMessageId());
        assertThat(retry.getResults(2).getDuplicate()).isFalse();
        assertThat(commandsKeyed(app.getAppKey() + ":retry-1")).extracting(PushBatchIntegrationTest::payloadOf)
                .containsExactly("u", "a", "plain", "plain");
        // and a unary retry finds the id a batch reserved
        PushResponse unaryRetry = push.push(toDevice("retry-1", "a").setRequestId("batch-retry-a").build());
        assertThat(unaryRetry.getMessageId()).isEqualTo(first.getResults(0).getMessageId());
        assertThat(unaryRetry.getDuplicate()).isTrue();
    }

    @Test
    void pushBatch_whenTwoEntriesShareARequestId_thenBothAnswerOneId() {
        PushBatchResponse r = push.pushBatch(batch(toDevice("twice", "a").setRequestId("twice-1"),
                toDevice("twice", "a").setRequestId("twice-1")));

        assertThat(r.getResults(1).getMessageId()).isEqualTo(r.getResults(0).getMessageId());
        assertThat(r.getResults(0).getDuplicate()).isFalse();
        assertThat(r.getResults(1).getDuplicate()).isTrue();
    }

    @Test
    void pushBatch_whenAnswered_thenEveryStatusHashHoldsOwnerCreatedAndAcceptedTimes() {
        long before = System.currentTimeMillis();
        PushBatchResponse r = push.pushBatch(batch(toDevice("stat-1", "a"), toDevice("stat-2", "b").setTtlSeconds(60),
                toDevice("stat-3", "c")));

        for (PushResult res : r.getResultsList()) {
            String stat = RedisKeys.stat(res.getMessageId());
            // read at once: the batch answers after its accepted_ms writes were acknowledged
            assertThat(redis.command("HGET " + stat + " " + RedisKeys.STAT_APP)).isEqualTo(app.getAppKey());
            long created = Long.parseLong(redis.command("HGET " + stat + " " + RedisKeys.STAT_CREATED_MS));
            long accepted = Long.parseLong(redis.command("HGET " + stat + " " + RedisKeys.STAT_ACCEPTED_MS));
            assertThat(created).isBetween(before, System.currentTimeMillis());
            assertThat(accepted).isBetween(created, System.currentTimeMillis());
            MessageStatus s = push.getMessageStatus(GetMessageStatusRequest.newBuilder()
                    .setMessageId(res.getMessageId()).build());
            assertThat(s.getCreatedAtMs()).isEqualTo(created);
            assertThat(s.getAcceptedAtMs()).isEqualTo(accepted);
        }
        long ttl60 = Long.parseLong(redis.command("PTTL " + RedisKeys.stat(r.getResults(1).getMessageId())).substring(1));
        long ttlDefault = Long.parseLong(redis.command("PTTL " + RedisKeys.stat(r.getResults(0).getMessageId()))
                .substring(1));
        assertThat(ttlDefault - ttl60).isGreaterThan(86_000_000L);
        assertThat(ttl60).isGreaterThan(60_000L);
    }

    @Test
    void pushBatch_whenKafkaRefusesOneEntry_thenThatEntryIsUnavailableAndTheOthersAccepted() throws Exception {
        // a command topic whose broker refuses records over 2000 bytes: the 4096-byte entry fails in Kafka
        String topic = "small-commands-" + UUID.randomUUID();
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "2000"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        try (ApiHarness small = new ApiHarness(redis, zk, kafka, Map.of(KafkaSettings.COMMAND_TOPIC, topic))) {
            CreateAppResponse a = small.createApp("small");
            PushServiceGrpc.PushServiceBlockingStub p = small.stubFor(a, PushServiceGrpc::newBlockingStub)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
            byte[] noise = new byte[4096];
            new java.util.Random(7).nextBytes(noise); // incompressible

            PushBatchResponse r = p.pushBatch(batch(toDevice("k-1", "fits"),
                    toDevice("k-1", "").setPayload(ByteString.copyFrom(noise)), toDevice("k-1", "fits too")));

            assertThat(r.getResults(0).hasError()).isFalse();
            assertThat(r.getResults(2).hasError()).isFalse();
            assertThat(r.getResults(1).getError().getCode()).isEqualTo(Status.Code.UNAVAILABLE.value());
            assertThat(r.getResults(1).getError().getMessage()).startsWith("kafka: ");
            assertThat(p.getMessageStatus(GetMessageStatusRequest.newBuilder()
                    .setMessageId(r.getResults(0).getMessageId()).build()).getAcceptedAtMs()).isPositive();
            assertThat(small.node.metrics().getSampleValue("longlink_api_batch_pushes_total", new String[] {"code"},
                    new String[] {"UNAVAILABLE"})).isEqualTo(1.0);
            assertThat(small.node.metrics().getSampleValue("longlink_api_batch_pushes_total", new String[] {"code"},
                    new String[] {"OK"})).isEqualTo(2.0);
            // the unary Push answers the same entry with the same status
            assertThatThrownBy(() -> p.push(toDevice("k-1", "").setPayload(ByteString.copyFrom(noise)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).startsWith("kafka: ");
                    });
        }
    }
}
