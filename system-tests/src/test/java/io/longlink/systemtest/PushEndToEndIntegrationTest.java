package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.api.AliasList;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.RevokeRequest;
import io.longlink.proto.api.SetAliasRequest;
import io.longlink.proto.api.TagFilter;
import io.longlink.proto.api.TagsRequest;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Business system -> api-node -> Kafka -> router -> conn-node -> SDK device, with every piece real. */
@ExtendWith(Infra.class)
class PushEndToEndIntegrationTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final AtomicInteger APPS = new AtomicInteger();
    static TestCluster cluster;
    static RedisServer redis;

    final List<Device> devices = new ArrayList<>();
    TestCluster.App app;

    @BeforeAll
    static void startCluster(RedisServer redisServer, TestingServer zk, KafkaCluster kafka) throws Exception {
        redis = redisServer;
        cluster = TestCluster.start(redis, zk, kafka, 2, 1, Map.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void createApp() {
        app = cluster.createApp("e2e-" + APPS.incrementAndGet());
    }

    @AfterEach
    void closeDevices() {
        devices.forEach(Device::close);
    }

    @Test
    void unicast_toOnlineDevice_isDeliveredAndAcknowledged() throws Exception {
        Device d = device("phone-1").connect();

        long id = push(toDevices("phone-1"), "hello", null).getMessageId();

        await().atMost(WAIT).until(() -> d.payloads().contains("hello"));
        assertThat(d.messages.get(0).id()).isEqualTo(id);
        await().atMost(WAIT).untilAsserted(() -> {
            MessageStatus s = status(id);
            assertThat(s.getTargeted()).isEqualTo(1);
            assertThat(s.getOnline()).isEqualTo(1);
            assertThat(s.getAcked()).isEqualTo(1);
        });
        await().atMost(WAIT).until(() -> inboxDepth("phone-1") == 0);
    }

    @Test
    void unicast_toOfflineDevice_isDeliveredOnceInOrderWhenItConnects() throws Exception {
        Device d = device("phone-2");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(push(toDevices("phone-2"), "m" + i, null).getMessageId());
        }
        await().atMost(WAIT).until(() -> inboxDepth("phone-2") == 5);

        d.connect();

        await().atMost(WAIT).until(() -> d.messages.size() >= 5);
        assertThat(d.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(d.messages.stream().map(m -> m.id()).toList()).isEqualTo(ids);
        await().atMost(WAIT).until(() -> inboxDepth("phone-2") == 0);
        await().atMost(WAIT).until(() -> status(ids.get(4)).getAcked() == 1);
        assertThat(status(ids.get(0)).getStored()).isEqualTo(1);

        // a reconnect does not bring any of them back
        d.disconnect();
        d.connect();
        push(toDevices("phone-2"), "marker", null);
        await().atMost(WAIT).until(() -> d.payloads().contains("marker"));
        assertThat(d.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4", "marker");
    }

    @Test
    void alias_reachesEveryDeviceOfTheUser_andCountersMatch() throws Exception {
        Device a = device("alice-phone").connect();
        Device b = device("alice-tablet").connect();
        Device c = device("alice-laptop");
        for (Device d : List.of(a, b, c)) {
            app.devices().setAlias(SetAliasRequest.newBuilder().setDeviceId(d.id).setAlias("alice").build());
        }

        long id = push(Audience.newBuilder().setAliases(AliasList.newBuilder().addAliases("alice")).build(), "hi alice", null)
                .getMessageId();

        await().atMost(WAIT).until(() -> a.payloads().contains("hi alice") && b.payloads().contains("hi alice"));
        await().atMost(WAIT).untilAsserted(() -> {
            MessageStatus s = status(id);
            assertThat(s.getTargeted()).isEqualTo(3);
            assertThat(s.getOnline()).isEqualTo(2);
            assertThat(s.getAcked()).isEqualTo(2);
        });
        c.connect();
        await().atMost(WAIT).until(() -> c.payloads().contains("hi alice"));
        await().atMost(WAIT).until(() -> status(id).getAcked() == 3);
        assertThat(a.messages).hasSize(1);
        assertThat(b.messages).hasSize(1);
    }

    @Test
    void tags_anyAllNone_selectTheRightDevices() throws Exception {
        Device ab = tagged("tag-ab", "sports", "news");
        Device a = tagged("tag-a", "sports");
        Device c = tagged("tag-c", "music");
        for (Device d : List.of(ab, a, c)) {
            d.connect();
        }

        push(tags(TagFilter.newBuilder().addAnyOf("news").addAnyOf("music")), "any", 0);
        push(tags(TagFilter.newBuilder().addAllOf("sports").addAllOf("news")), "all", 0);
        push(tags(TagFilter.newBuilder().addAnyOf("sports").addNoneOf("news")), "none", 0);
        push(Audience.newBuilder().setBroadcast(true).build(), "everyone", 0);

        // fan-outs travel independently, so only the final sets are compared
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(ab.payloads()).containsExactlyInAnyOrder("any", "all", "everyone");
            assertThat(a.payloads()).containsExactlyInAnyOrder("none", "everyone");
            assertThat(c.payloads()).containsExactlyInAnyOrder("any", "everyone");
        });
    }

    @Test
    void broadcastAndTagPushWithTtl_reachDeviceThatConnectsLater_once() throws Exception {
        Device later = tagged("later-phone", "vip");
        Device other = tagged("later-other", "basic");
        push(Audience.newBuilder().setBroadcast(true).build(), "for-all", null);
        push(tags(TagFilter.newBuilder().addAnyOf("vip")), "for-vip", null);
        push(tags(TagFilter.newBuilder().addAnyOf("nobody")), "for-none", null);

        later.connect();
        other.connect();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(later.payloads()).containsExactly("for-all", "for-vip");
            assertThat(other.payloads()).containsExactly("for-all");
        });

        // once acknowledged, a reconnect does not replay them
        later.disconnect();
        later.connect();
        push(toDevices("later-phone"), "marker", null);
        await().atMost(WAIT).until(() -> later.payloads().contains("marker"));
        assertThat(later.payloads()).containsExactly("for-all", "for-vip", "marker");
    }

    @Test
    void tagAddedWhileConnected_appliesToTheLiveConnection() throws Exception {
        Device d = device("promoted").connect();
        app.devices().addTags(TagsRequest.newBuilder().setDeviceId("promoted").addTags("gold").build());

        push(tags(TagFilter.newBuilder().addAnyOf("gold")), "gold-only", 0);

        await().atMost(WAIT).until(() -> d.payloads().contains("gold-only"));
    }

    @Test
    void ttlZero_toOfflineDevice_isNotStored() throws Exception {
        Device d = device("offline-ttl0");
        long id = push(toDevices("offline-ttl0"), "now-or-never", 0).getMessageId();
        await().atMost(WAIT).until(() -> status(id).getRoutedAtMs() > 0);
        assertThat(inboxDepth("offline-ttl0")).isZero();

        d.connect();
        push(toDevices("offline-ttl0"), "marker", null);
        await().atMost(WAIT).until(() -> d.payloads().contains("marker"));
        assertThat(d.payloads()).containsExactly("marker");
    }

    @Test
    void expiredMessage_isNotDelivered_andCountedExpiredWhenTheDeviceReturns() throws Exception {
        Device d = device("late-phone");
        push(toDevices("late-phone"), "long-lived", null);
        long id = push(toDevices("late-phone"), "short-lived", 1).getMessageId();
        await().atMost(WAIT).until(() -> inboxDepth("late-phone") == 2);
        await().atMost(WAIT).until(() -> redis.command("EXISTS " + RedisKeys.message(id)).equals(":0"));

        d.connect();
        push(toDevices("late-phone"), "marker", null);
        await().atMost(WAIT).until(() -> d.payloads().contains("marker"));
        assertThat(d.payloads()).containsExactly("long-lived", "marker");
        await().atMost(WAIT).until(() -> status(id).getExpired() == 1);
        await().atMost(WAIT).until(() -> inboxDepth("late-phone") == 0);
    }

    @Test
    void collapseKey_newerReplacesUndeliveredOlder() throws Exception {
        Device d = device("scoreboard");
        PushRequest.Builder req = PushRequest.newBuilder().setAudience(toDevices("scoreboard")).setCollapseKey("score");
        app.push().push(req.clone().setPayload(ByteString.copyFromUtf8("1:0")).build());
        app.push().push(req.clone().setPayload(ByteString.copyFromUtf8("2:0")).build());
        await().atMost(WAIT).until(() -> inboxDepth("scoreboard") == 1);

        d.connect();
        push(toDevices("scoreboard"), "marker", null);
        await().atMost(WAIT).until(() -> d.payloads().contains("marker"));
        assertThat(d.payloads()).containsExactly("2:0", "marker");
    }

    @Test
    void revoke_withdrawsUndeliveredCopies() throws Exception {
        Device d = device("revoked-phone");
        long id = push(toDevices("revoked-phone"), "oops", null).getMessageId();
        await().atMost(WAIT).until(() -> inboxDepth("revoked-phone") == 1);
        assertThat(app.push().revoke(RevokeRequest.newBuilder().setMessageId(id).build()).getBodyRemoved()).isTrue();

        d.connect();
        push(toDevices("revoked-phone"), "marker", null);
        await().atMost(WAIT).until(() -> d.payloads().contains("marker"));
        assertThat(d.payloads()).containsExactly("marker");
        await().atMost(WAIT).until(() -> status(id).getRevoked() == 1);
    }

    @Test
    void retryWithSameRequestId_getsSameIdAndDeliversOnce() throws Exception {
        Device d = device("retry-phone").connect();
        PushRequest req = PushRequest.newBuilder().setAudience(toDevices("retry-phone"))
                .setPayload(ByteString.copyFromUtf8("once")).setRequestId("order-42").build();
        PushResponse first = app.push().push(req);
        PushResponse second = app.push().push(req);
        assertThat(second.getMessageId()).isEqualTo(first.getMessageId());
        assertThat(second.getDuplicate()).isTrue();

        push(toDevices("retry-phone"), "marker", null);
        await().atMost(WAIT).until(() -> d.payloads().contains("marker"));
        assertThat(d.payloads()).containsExactly("once", "marker");
    }

    @Test
    void pushBatch_toOnlineAndOfflineDevices_deliversEachEntryOnceInEntryOrder_andRefusesTheInvalidEntryAlone()
            throws Exception {
        Device online = device("batch-online").connect();
        Device offline = device("batch-offline");
        PushBatchRequest.Builder batch = PushBatchRequest.newBuilder();
        for (String[] entry : new String[][] {{"batch-online", "on-1"}, {"batch-offline", "off-1"},
                {"batch-online", "on-2"}, {"", "no-audience"}, {"batch-offline", "off-2"}, {"batch-online", "on-3"}}) {
            PushRequest.Builder p = PushRequest.newBuilder().setPayload(ByteString.copyFromUtf8(entry[1]));
            if (!entry[0].isEmpty()) {
                p.setAudience(toDevices(entry[0]));
            }
            batch.addPushes(p);
        }

        PushBatchResponse r = app.push().withDeadlineAfter(15, TimeUnit.SECONDS).pushBatch(batch.build());

        assertThat(r.getResultsCount()).isEqualTo(6);
        assertThat(r.getResults(3).getMessageId()).isZero();
        assertThat(r.getResults(3).getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(r.getResults(3).getError().getMessage())
                .isEqualTo("audience: missing (expected: one of devices, aliases, tags, broadcast)");
        List<Long> ids = new ArrayList<>();
        for (int i : new int[] {0, 1, 2, 4, 5}) {
            assertThat(r.getResults(i).hasError()).isFalse();
            ids.add(r.getResults(i).getMessageId());
        }
        assertThat(ids).doesNotHaveDuplicates();
        await().atMost(WAIT).until(() -> online.messages.size() >= 3);
        await().atMost(WAIT).until(() -> inboxDepth("batch-offline") == 2);
        offline.connect();
        await().atMost(WAIT).until(() -> offline.messages.size() >= 2);
        await().atMost(WAIT).until(() -> status(ids.get(4)).getAcked() == 1);

        // markers after the batch: nothing of the batch arrives twice, before or after them
        push(toDevices("batch-online"), "marker", null);
        push(toDevices("batch-offline"), "marker", null);
        await().atMost(WAIT).until(() -> online.payloads().contains("marker") && offline.payloads().contains("marker"));
        assertThat(online.payloads()).containsExactly("on-1", "on-2", "on-3", "marker");
        assertThat(offline.payloads()).containsExactly("off-1", "off-2", "marker");
        assertThat(online.messages.subList(0, 3).stream().map(m -> m.id()).toList())
                .containsExactly(ids.get(0), ids.get(2), ids.get(4));
        assertThat(offline.messages.subList(0, 2).stream().map(m -> m.id()).toList())
                .containsExactly(ids.get(1), ids.get(3));
    }

    @Test
    void anotherApp_cannotReachOrInspectThisAppsDevices() throws Exception {
        Device d = device("private-phone").connect();
        TestCluster.App other = cluster.createApp("intruder-" + APPS.incrementAndGet());
        long mine = push(toDevices("private-phone"), "mine", null).getMessageId();

        long theirs = other.push().push(PushRequest.newBuilder().setAudience(toDevices("private-phone"))
                .setPayload(ByteString.copyFromUtf8("intrusion")).build()).getMessageId();
        assertThatThrownBy(() -> other.push().getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(mine).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.NOT_FOUND, Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> other.push().revoke(RevokeRequest.newBuilder().setMessageId(mine).build()))
                .isInstanceOf(StatusRuntimeException.class);

        await().atMost(WAIT).until(() -> status(other, theirs).getRoutedAtMs() > 0);
        push(toDevices("private-phone"), "marker", null);
        await().atMost(WAIT).until(() -> d.payloads().contains("marker"));
        assertThat(d.payloads()).containsExactly("mine", "marker");
    }

    @Test
    void getDevice_reportsOnlineNodeTagsAndInbox() throws Exception {
        Device d = tagged("inspect-me", "beta");
        assertThat(app.devices().getDevice(GetDeviceRequest.newBuilder().setDeviceId("inspect-me").build()).getOnline())
                .isFalse();
        d.connect();
        await().atMost(WAIT).untilAsserted(() -> {
            var info = app.devices().getDevice(GetDeviceRequest.newBuilder().setDeviceId("inspect-me").build());
            assertThat(info.getOnline()).isTrue();
            assertThat(info.getNodeId()).startsWith("conn-");
            assertThat(info.getTagsList()).containsExactly("beta");
            assertThat(info.getInboxDepth()).isZero();
        });
    }

    private Device device(String id) {
        Device d = Device.register(cluster, app, id);
        devices.add(d);
        return d;
    }

    private Device tagged(String id, String... tags) {
        Device d = device(id);
        app.devices().addTags(TagsRequest.newBuilder().setDeviceId(id).addAllTags(List.of(tags)).build());
        return d;
    }

    private static Audience toDevices(String... ids) {
        return Audience.newBuilder().setDevices(DeviceList.newBuilder().addAllDeviceIds(List.of(ids))).build();
    }

    private static Audience tags(TagFilter.Builder filter) {
        return Audience.newBuilder().setTags(filter).build();
    }

    private PushResponse push(Audience audience, String payload, Integer ttlSeconds) {
        PushRequest.Builder b = PushRequest.newBuilder().setAudience(audience).setPayload(ByteString.copyFromUtf8(payload));
        if (ttlSeconds != null) {
            b.setTtlSeconds(ttlSeconds);
        }
        return app.push().withDeadlineAfter(15, TimeUnit.SECONDS).push(b.build());
    }

    private MessageStatus status(long id) {
        return status(app, id);
    }

    private static MessageStatus status(TestCluster.App a, long id) {
        return a.push().getMessageStatus(GetMessageStatusRequest.newBuilder().setMessageId(id).build());
    }

    private long inboxDepth(String deviceId) {
        return Long.parseLong(redis.command("ZCARD " + RedisKeys.inbox(app.key(), deviceId)).substring(1));
    }
}
