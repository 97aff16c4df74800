package io.longlink.router;

import static io.longlink.router.Commands.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisSettings;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.Outcome;
import io.longlink.proto.internal.TagFilter;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class RouterNodeIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private RouterHarness h;
    private KafkaCluster kafka;
    private TestingServer zk;

    @BeforeEach
    void setUp(RedisServer redis, TestingServer zkServer, KafkaCluster kafkaCluster) throws Exception {
        kafka = kafkaCluster;
        zk = zkServer;
        h = new RouterHarness(redis.uri(), false, zkServer, kafka);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void start_whenTopicsMissing_thenCreatedWithConfiguredPartitions() throws Exception {
        h.startRouter(Map.of());

        try (Admin admin = kafka.admin()) {
            var topics = admin.describeTopics(List.of(h.commandTopic, h.receiptTopic)).allTopicNames().get(10, TimeUnit.SECONDS);
            assertThat(topics.get(h.commandTopic).partitions()).hasSize(4);
            assertThat(topics.get(h.receiptTopic).partitions()).hasSize(2);
        }
    }

    @Test
    void unicast_whenAckWaitOff_thenStoredFirstThenDeliveredOverDeliverAndCounted() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.ACK_WAIT_MS, 0), 1);
        h.set(RedisKeys.route(h.appKey, "phone-1"), "conn-a|c-17");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "phone-1");

        h.publish(h.appKey + ":phone-1", cmd);

        await().atMost(WAIT).until(() -> h.stat(id(cmd)).containsKey("online"));
        Delivery d = conn.deliveries.get(0);
        assertThat(d.getAppKey()).isEqualTo(h.appKey);
        assertThat(d.getDeviceId()).isEqualTo("phone-1");
        assertThat(d.getConnectionId()).isEqualTo("c-17");
        assertThat(d.getPush()).isEqualTo(cmd.getPush());
        assertThat(d.getAwaitAck()).isFalse();
        assertThat(conn.batches.get(0).getAckWaitMs()).isZero();
        assertThat(h.inbox("phone-1")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(Push.parseFrom(h.getBytes(RedisKeys.message(id(cmd))))).isEqualTo(cmd.getPush());
        assertThat(h.pttl(RedisKeys.message(id(cmd)))).isBetween(1L, 600_000L);
        assertThat(h.pttl(RedisKeys.inbox(h.appKey, "phone-1"))).isBetween(590_000L, 600_000L);
        Map<String, String> stat = h.stat(id(cmd));
        assertThat(stat).containsEntry("targeted", "1").containsEntry("online", "1").doesNotContainKey("stored")
                .containsKey("routed_ms");
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
    }

    @Test
    void commits_whenBatchesFollowWithinTheInterval_thenOneLaterCommitClaimsThemAll() throws Exception {
        RouterNode router = h.startRouter(Map.of(RouterSettings.COMMIT_INTERVAL_MS, 10_000,
                RouterSettings.ACK_WAIT_MS, 0));
        PushCommand first = Commands.toDevices(h.appKey, 600, "away-1");
        h.publish(h.appKey + ":away-1", first);
        // the first batch is committed at once: no commit went out before it
        await().atMost(WAIT).until(() -> h.committed() == 1);

        PushCommand second = Commands.toDevices(h.appKey, 600, "away-2");
        PushCommand third = Commands.toDevices(h.appKey, 600, "away-3");
        h.publish(h.appKey + ":away-2", second);
        await().atMost(WAIT).until(() -> h.stat(id(second)).containsKey("stored"));
        h.publish(h.appKey + ":away-3", third);
        await().atMost(WAIT).until(() -> h.stat(id(third)).containsKey("stored"));

        // both are routed (in their inboxes) but the interval has not passed: not claimed yet
        assertThat(h.committed()).isEqualTo(1);
        // no further record arrives: the idle consumer commits them once the interval passed
        await().atMost(WAIT).until(() -> h.committed() == 3);
        assertThat(router.metrics().getSampleValue("longlink_router_offset_commits_total")).isEqualTo(2.0);
    }

    @Test
    void unicast_whenDeviceAcksWithinAckWait_thenNeverInTheInboxAndCountedAcked() throws Exception {
        FakeConnNode conn = ackingConnNodeBehindRouter();
        h.set(RedisKeys.route(h.appKey, "quick"), "conn-a|c-21");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "quick");

        h.publish(h.appKey + ":quick", cmd);

        await().atMost(WAIT).until(() -> h.stat(id(cmd)).containsKey("online") && h.stat(id(cmd)).containsKey("acked"));
        assertThat(conn.deliveries.get(0).getAwaitAck()).isTrue();
        assertThat(conn.batches.get(0).getAckWaitMs()).isEqualTo(400);
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "1").containsEntry("online", "1")
                .containsEntry("acked", "1").doesNotContainKey("stored");
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("quick")).isEmpty();
        // the body is kept for the retention only: a retry after a crash still finds the message routed
        assertThat(Push.parseFrom(h.getBytes(RedisKeys.message(id(cmd))))).isEqualTo(cmd.getPush());
        assertThat(h.pttl(RedisKeys.message(id(cmd)))).isBetween(1L, 120_000L);
    }

    @Test
    void unicast_whenOneCopyAckedAndOneStored_thenAckedIncrementedNotOverwritten() throws Exception {
        FakeConnNode conn = ackingConnNodeBehindRouter();
        h.set(RedisKeys.route(h.appKey, "quick"), "conn-a|c-23");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "quick", "away");
        // a conn-node's count for the stored copy, acknowledged late, that landed before the router's
        h.redis.async().hset(RedisKeys.stat(id(cmd)), "acked", bytes("1")).get();

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.stat(id(cmd)).containsKey("stored"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(h.stat(id(cmd))).containsEntry("targeted", "2")
                .containsEntry("online", "1").containsEntry("stored", "1").containsEntry("acked", "2"));
        assertThat(h.inbox("away")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.inbox("quick")).isEmpty();
        // a copy is stored: its body lives as long as the message, not just the retention
        assertThat(h.pttl(RedisKeys.message(id(cmd)))).isBetween(590_000L, 600_000L);
    }

    @Test
    void unicast_whenWrittenButNotAckedInTime_thenStoredAfterTheAnswerAndBeforeTheCommit() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        conn.hold = new CountDownLatch(1);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.ACK_WAIT_MS, 250,
                RouterSettings.DELIVER_TIMEOUT_MS, 60_000), 1);
        h.set(RedisKeys.route(h.appKey, "silent"), "conn-a|c-22");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "silent", "away");

        h.publish(h.appKey, cmd);
        await().atMost(WAIT).until(() -> conn.deliveries.size() == 1);

        // handed over, unanswered: nothing stored for either device yet, and nothing committed
        assertThat(h.inbox("silent")).isEmpty();
        assertThat(h.inbox("away")).isEmpty();
        assertThat(h.committed()).isLessThan(h.produced());
        conn.hold.countDown();
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("silent")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.inbox("away")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.pttl(RedisKeys.inbox(h.appKey, "silent"))).isBetween(3_590_000L, 3_600_000L);
        // admitted with the default retention (900 s), extended to the TTL once a copy was stored
        assertThat(h.pttl(RedisKeys.message(id(cmd)))).isBetween(3_590_000L, 3_600_000L);
        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("stored")));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "2").containsEntry("online", "1")
                .doesNotContainKey("acked");
        assertThat(conn.deliveries).hasSize(1);
    }

    @Test
    void unicast_whenDeviceReconnectedWhileAwaited_thenSentAgainToItsNewConnectionAfterTheInboxWrite()
            throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        String routeKey = RedisKeys.route(h.appKey, "hopper");
        conn.outcome = d -> {
            if (d.getAwaitAck()) {
                // the device left this connection and connected again while its copy was on the way
                try {
                    h.set(routeKey, "conn-a|c-32");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return Outcome.STALE_ROUTE;
            }
            return Outcome.WRITTEN;
        };
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(routeKey, "conn-a|c-31");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "hopper");

        h.publish(h.appKey + ":hopper", cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("online")));
        assertThat(conn.deliveries).hasSize(2);
        assertThat(conn.deliveries.get(0).getConnectionId()).isEqualTo("c-31");
        assertThat(conn.deliveries.get(1).getConnectionId()).isEqualTo("c-32");
        assertThat(conn.deliveries.get(1).getAwaitAck()).isFalse();
        assertThat(h.inbox("hopper")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.stat(id(cmd))).doesNotContainKey("stored");
    }

    @Test
    void unicast_whenRefusedCopyStoredThenWrittenOnResend_thenAckedStillIncremented() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        // c-51 acknowledges at once; c-52 refuses the awaited copy, then takes the plain resend
        conn.outcome = d -> d.getConnectionId().equals("c-51") ? Outcome.ACKED
                : d.getAwaitAck() ? Outcome.REJECTED : Outcome.WRITTEN;
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(RedisKeys.route(h.appKey, "quick"), "conn-a|c-51");
        h.set(RedisKeys.route(h.appKey, "sluggish"), "conn-a|c-52");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "quick", "sluggish");
        // the late ACK of the resent copy, counted by its conn-node before the router's status
        h.redis.async().hset(RedisKeys.stat(id(cmd)), "acked", bytes("1")).get();

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).untilAsserted(() -> assertThat(h.stat(id(cmd))).containsEntry("online", "2")
                .containsEntry("acked", "2").doesNotContainKey("stored"));
        assertThat(conn.deliveries).hasSize(3);
        assertThat(h.inbox("sluggish")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.pttl(RedisKeys.message(id(cmd)))).isBetween(3_590_000L, 3_600_000L);
    }

    @Test
    void unicast_whenSlowReaderRefusedAwaitedCopy_thenSentAgainOnceStoredSoItsRedrainFindsIt() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        conn.outcome = d -> Outcome.REJECTED; // still unwritable the second time
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(RedisKeys.route(h.appKey, "sluggish"), "conn-a|c-41");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "sluggish");

        h.publish(h.appKey + ":sluggish", cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("stored")));
        assertThat(conn.deliveries).hasSize(2);
        assertThat(conn.deliveries.get(0).getAwaitAck()).isTrue();
        assertThat(conn.deliveries.get(1).getAwaitAck()).isFalse();
        assertThat(h.inbox("sluggish")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.stat(id(cmd))).doesNotContainKey("online");
    }

    @Test
    void unicast_whenOfflineOrRouteToDeadNode_thenInboxOnlyAndCountedStored() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        h.startRouter(Map.of());
        h.set(RedisKeys.route(h.appKey, "ghost"), "conn-gone|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "nobody", "ghost");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> "2".equals(h.stat(id(cmd)).get("stored")));
        assertThat(h.inbox("nobody")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.inbox("ghost")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "2").doesNotContainKey("online");
        assertThat(conn.deliveries).isEmpty();
    }

    @Test
    void unicast_whenSameCommandRoutedAgain_thenFirstRoutingStatusKeptAndRetryCountedOnTop() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(RedisKeys.route(h.appKey, "again"), "conn-a|c-3");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "again", "offline-too");

        h.publish(h.appKey, cmd);
        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("online")));
        String routedMs = h.stat(id(cmd)).get("routed_ms");
        // what a router crash between delivery and commit leads to: the command is consumed again
        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> "2".equals(h.stat(id(cmd)).get("online")));
        await().atMost(WAIT).until(() -> "2".equals(h.stat(id(cmd)).get("stored")));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "2").containsEntry("routed_ms", routedMs);
        assertThat(conn.deliveries).hasSize(2);
        assertThat(Push.parseFrom(h.getBytes(RedisKeys.message(id(cmd))))).isEqualTo(cmd.getPush());
        assertThat(h.inbox("offline-too")).containsExactly(RedisKeys.inboxMember(id(cmd)));
    }

    @Test
    void unicast_whenRoutedAgainAfterCrashBeforeStatus_thenStatusWrittenByTheRetry() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(RedisKeys.route(h.appKey, "crashy"), "conn-a|c-4");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "crashy");
        // a router stored the body, delivered, and crashed before its status write and commit
        h.redis.async().set(RedisKeys.message(id(cmd)), cmd.getPush().toByteArray()).get();

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("online")));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "1").containsKey("routed_ms");
        assertThat(conn.deliveries).hasSize(1);
    }

    @Test
    void unicast_whenConnNodeSaysNotHere_thenMessageStaysInInboxAndCountsStored() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        conn.outcome = d -> Outcome.NOT_HERE;
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(RedisKeys.route(h.appKey, "moved"), "conn-a|c-2");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "moved");

        h.publish(h.appKey + ":moved", cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("stored")));
        assertThat(conn.deliveries).hasSize(1);
        assertThat(h.inbox("moved")).containsExactly(RedisKeys.inboxMember(id(cmd)));
    }

    @Test
    void onlineOnly_whenDeviceOffline_thenNothingStoredAndWhenOnlineDeliveredWithoutInbox() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(RedisKeys.route(h.appKey, "on"), "conn-a|c-3");
        PushCommand cmd = Commands.toDevices(h.appKey, 0, "on", "off");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(conn.deliveries).extracting(Delivery::getDeviceId).containsExactly("on");
        assertThat(h.inbox("on")).isEmpty();
        assertThat(h.inbox("off")).isEmpty();
        assertThat(h.getBytes(RedisKeys.message(id(cmd)))).isNull();
        assertThat(h.stat(id(cmd))).containsEntry("online", "1").doesNotContainKey("stored");
    }

    @Test
    void inbox_whenMoreThanBound_thenOldestDropped() throws Exception {
        h.startRouter(Map.of(RouterSettings.INBOX_MAX, 3));
        PushCommand[] cmds = new PushCommand[5];
        for (int i = 0; i < cmds.length; i++) {
            cmds[i] = Commands.toDevices(h.appKey, 3600, "full");
            h.publish(h.appKey + ":full", cmds[i]);
        }

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("full")).containsExactly(RedisKeys.inboxMember(id(cmds[2])),
                RedisKeys.inboxMember(id(cmds[3])), RedisKeys.inboxMember(id(cmds[4])));
    }

    @Test
    void inbox_whenSameCollapseKey_thenNewerReplacesOlderAndOlderArrivingLateIsDropped() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        PushCommand older = Commands.collapsing(h.appKey, "fan", "score");
        PushCommand unrelated = Commands.toDevices(h.appKey, 3600, "fan");
        PushCommand newer = Commands.collapsing(h.appKey, "fan", "score");

        h.publish(h.appKey + ":fan", older);
        h.publish(h.appKey + ":fan", unrelated);
        h.publish(h.appKey + ":fan", newer);
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("fan")).containsExactly(RedisKeys.inboxMember(id(unrelated)), RedisKeys.inboxMember(id(newer)));
        assertThat(new String(h.redis.async().hget(RedisKeys.collapse(h.appKey, "fan"), "score").get(),
                StandardCharsets.UTF_8)).isEqualTo(RedisKeys.inboxMember(id(newer)));

        // a late copy of the older one (e.g. a retried batch) must neither come back nor be delivered
        h.set(RedisKeys.route(h.appKey, "fan"), "conn-a|c-1");
        h.publish(h.appKey + ":fan", older);
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("fan")).containsExactly(RedisKeys.inboxMember(id(unrelated)), RedisKeys.inboxMember(id(newer)));
        assertThat(conn.deliveries).isEmpty();
        assertThat(h.pttl(RedisKeys.collapse(h.appKey, "fan"))).isPositive();
    }

    @Test
    void aliases_whenPushed_thenExpandedToEveryDeviceOnce() throws Exception {
        h.startRouter(Map.of());
        h.redis.async().sadd(RedisKeys.alias(h.appKey, "alice"), bytes("a-phone"), bytes("a-tablet")).get();
        h.redis.async().sadd(RedisKeys.alias(h.appKey, "bob"), bytes("b-phone"), bytes("a-tablet")).get();
        PushCommand cmd = Commands.toAliases(h.appKey, "alice", "bob", "nobody");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.stat(id(cmd)).containsKey("stored"));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "3").containsEntry("stored", "3");
        for (String d : List.of("a-phone", "a-tablet", "b-phone")) {
            assertThat(h.inbox(d)).containsExactly(RedisKeys.inboxMember(id(cmd)));
        }
    }

    @Test
    void revoked_whenRevokedBeforeRouting_thenNoBodyAndNothingDelivered() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        h.set(RedisKeys.route(h.appKey, "r1"), "conn-a|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "r1");
        // what Revoke leaves: revoked_ms and the tombstone (an empty value) in place of the body
        h.redis.async().hset(RedisKeys.stat(id(cmd)), "revoked_ms", bytes("1")).get();
        h.redis.async().set(RedisKeys.message(id(cmd)), new byte[0]).get();

        h.publish(h.appKey + ":r1", cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        // the inbox write goes out with the admission check, so an entry may exist; without its body a
        // conn-node drops it (counted revoked) instead of delivering it
        assertThat(h.getBytes(RedisKeys.message(id(cmd)))).as("the body is not stored over the tombstone").isEmpty();
        assertThat(h.inbox("r1")).isSubsetOf(RedisKeys.inboxMember(id(cmd)));
        assertThat(conn.deliveries).isEmpty();
        assertThat(h.stat(id(cmd))).as("a revoked message gets no routing status").containsOnlyKeys("revoked_ms");
        assertThat(router.metrics().getSampleValue("longlink_router_commands_total", new String[] {"result"},
                new String[] {"revoked"})).isEqualTo(1.0);
    }

    @Test
    void tags_whenTtl_thenFanOutToEveryLiveNodeAndBroadcastLogEntry() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        FakeConnNode b = h.connNode("conn-b");
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.BROADCAST_LOG_MAX, 2), 2);
        TagFilter filter = TagFilter.newBuilder().addAnyOf("vip").addNoneOf("muted").build();
        PushCommand cmd = Commands.toTags(h.appKey, 3600, filter, 1500);

        h.publish(h.appKey, cmd);

        // counters are written after the batch without holding it up
        await().atMost(WAIT).untilAsserted(() -> assertThat(h.stat(id(cmd))).containsEntry("targeted", "6")
                .containsEntry("online", "4"));
        for (FakeConnNode n : List.of(a, b)) {
            FanOutRequest req = n.fanOuts.get(0);
            assertThat(req.getAppKey()).isEqualTo(h.appKey);
            assertThat(req.getFilter()).isEqualTo(filter);
            assertThat(req.getBroadcast()).isFalse();
            assertThat(req.getSpreadMs()).isEqualTo(1500);
            assertThat(req.getPush()).isEqualTo(cmd.getPush());
        }
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "6").containsEntry("online", "4");
        String member = RedisKeys.inboxMember(id(cmd));
        assertThat(h.redis.async().zrange(RedisKeys.broadcastLog(h.appKey), 0, -1).get())
                .extracting(v -> new String(v, StandardCharsets.UTF_8)).containsExactly(member);
        assertThat(TagFilter.parseFrom(h.redis.async().hget(RedisKeys.broadcastFilter(h.appKey), member).get()))
                .isEqualTo(filter);
        assertThat(h.getBytes(RedisKeys.message(id(cmd)))).isNotNull();

        // the log is capped: the oldest entry and its filter go
        PushCommand second = Commands.broadcast(h.appKey, 3600);
        PushCommand third = Commands.broadcast(h.appKey, 3600);
        h.publish(h.appKey, second);
        h.publish(h.appKey, third);
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.redis.async().zrange(RedisKeys.broadcastLog(h.appKey), 0, -1).get())
                .extracting(v -> new String(v, StandardCharsets.UTF_8))
                .containsExactly(RedisKeys.inboxMember(id(second)), RedisKeys.inboxMember(id(third)));
        assertThat(h.redis.async().hexists(RedisKeys.broadcastFilter(h.appKey), member).get()).isFalse();
        assertThat(h.redis.async().hget(RedisKeys.broadcastFilter(h.appKey), RedisKeys.inboxMember(id(third))).get())
                .isEmpty();
        assertThat(a.fanOuts).hasSize(3);
        assertThat(a.fanOuts.get(2).getBroadcast()).isTrue();
    }

    @Test
    void broadcast_whenOnlineOnly_thenFanOutWithoutLogOrBody() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        PushCommand cmd = Commands.broadcast(h.appKey, 0);

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(a.fanOuts).hasSize(1);
        assertThat(h.redis.async().exists(RedisKeys.broadcastLog(h.appKey)).get()).isZero();
        assertThat(h.getBytes(RedisKeys.message(id(cmd)))).isNull();
    }

    @Test
    void fanOut_whenManyInOneBatch_thenAtMostMaxInflightPerConnNodeAndAllSent() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        a.fanOutDelayMs = 100;
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.FANOUT_MAX_INFLIGHT, 2), 1);
        PushCommand[] cmds = new PushCommand[10];
        for (int i = 0; i < cmds.length; i++) {
            cmds[i] = Commands.broadcast(h.appKey, 0);
            h.publish(h.appKey, cmds[i]);
        }

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(a.fanOuts).hasSize(10);
        assertThat(a.fanOutsMaxRunning.get()).isBetween(1, 2);
        for (PushCommand c : cmds) {
            assertThat(h.stat(id(c))).containsEntry("online", "2").containsEntry("targeted", "3");
        }
    }

    @Test
    void fanOut_whenSpread_thenBatchCommittedWithoutWaitingAndCountedWhenAnswered() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        a.fanOutHold = new CountDownLatch(1);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.FANOUT_TIMEOUT_MS, 500), 1);
        PushCommand cmd = Commands.toTags(h.appKey, 600, TagFilter.newBuilder().addAnyOf("all").build(), 5_000);

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(a.fanOuts).hasSize(1);
        assertThat(h.stat(id(cmd))).doesNotContainKey("online");
        a.fanOutHold.countDown();
        await().atMost(WAIT).until(() -> "2".equals(h.stat(id(cmd)).get("online")));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "3");
    }

    @Test
    void deliver_whenOneConnNodeIsStuck_thenOthersServedAndStuckOnesMessagesStayInInbox() throws Exception {
        FakeConnNode stuck = h.connNode("conn-stuck");
        stuck.hold = new CountDownLatch(1);
        FakeConnNode healthy = h.connNode("conn-ok");
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 500,
                RouterSettings.DELIVER_RETRIES, 0), 2);
        h.set(RedisKeys.route(h.appKey, "on-stuck"), "conn-stuck|c-1");
        h.set(RedisKeys.route(h.appKey, "on-ok"), "conn-ok|c-2");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "on-stuck", "on-ok");

        long start = System.nanoTime();
        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(healthy.deliveries).extracting(Delivery::getDeviceId).containsExactly("on-ok");
        assertThat(stuck.deliveries).extracting(Delivery::getDeviceId).containsExactly("on-stuck");
        assertThat(h.stat(id(cmd))).containsEntry("online", "1").containsEntry("stored", "1");
        assertThat(h.inbox("on-stuck")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        stuck.hold.countDown();
    }

    @Test
    void deliver_whenFirstBatchGetsNoResultInTime_thenRetriedInBackgroundAndWrittenWithoutHoldingCommit()
            throws Exception {
        FakeConnNode conn = h.connNode("conn-late");
        conn.unansweredBatches.set(1);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 300,
                RouterSettings.DELIVER_RETRY_BACKOFF_MS, 400, RouterSettings.LINK_RETRY_MS, 100), 1);
        h.set(RedisKeys.route(h.appKey, "d1"), "conn-late|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "d1");

        h.publish(h.appKey + ":d1", cmd);

        // the batch times out: counted stored and committed, and the link sends it again by itself
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        await().atMost(WAIT).until(() -> retries(router, "written") == 1.0);
        assertThat(conn.batches).hasSize(2);
        assertThat(conn.deliveries).extracting(d -> d.getPush().getMessageId()).containsExactly(id(cmd), id(cmd));
        assertThat(conn.deliveries.get(1).getConnectionId()).isEqualTo("c-1");
        assertThat(retries(router, "sent")).isEqualTo(1.0);
        assertThat(retries(router, "gave_up")).isZero();
        assertThat(h.stat(id(cmd))).containsEntry("stored", "1");
        assertThat(h.inbox("d1")).containsExactly(RedisKeys.inboxMember(id(cmd)));
    }

    @Test
    void deliver_whenConnNodeNeverAnswers_thenRetriedAtMostDeliverRetriesTimes() throws Exception {
        FakeConnNode conn = h.connNode("conn-dead");
        conn.unansweredBatches.set(Integer.MAX_VALUE);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 200,
                RouterSettings.DELIVER_RETRIES, 2, RouterSettings.DELIVER_RETRY_BACKOFF_MS, 300,
                RouterSettings.LINK_RETRY_MS, 100), 1);
        h.set(RedisKeys.route(h.appKey, "d1"), "conn-dead|c-1");

        h.publish(h.appKey + ":d1", Commands.toDevices(h.appKey, 3600, "d1"));

        await().atMost(WAIT).until(() -> retries(router, "gave_up") == 1.0);
        assertThat(retries(router, "sent")).isEqualTo(2.0);
        assertThat(conn.batches).hasSize(3);
        assertThat(h.committed()).isEqualTo(h.produced());
    }

    /** conn-a, answering ACKED for each awaited copy, linked to a router with a 400 ms ACK wait and 120 s body retention. */
    private FakeConnNode ackingConnNodeBehindRouter() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        conn.outcome = d -> d.getAwaitAck() ? Outcome.ACKED : Outcome.WRITTEN;
        h.startRouterLinked(Map.of(RouterSettings.ACK_WAIT_MS, 400, RouterSettings.ACKED_BODY_RETENTION_SECONDS, 120), 1);
        return conn;
    }

    private static double retries(RouterNode router, String result) {
        Double v = router.metrics().getSampleValue("longlink_router_deliver_retries_total", new String[] {"result"},
                new String[] {result});
        return v == null ? 0 : v;
    }

    @Test
    void commit_whenAckWaitOffAndConnNodeHasNotAnswered_thenStoredButNotCommittedUntilItDoes() throws Exception {
        FakeConnNode slow = h.connNode("conn-slow");
        slow.hold = new CountDownLatch(1);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 60_000,
                RouterSettings.ACK_WAIT_MS, 0), 1);
        h.set(RedisKeys.route(h.appKey, "d1"), "conn-slow|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "d1");

        h.publish(h.appKey + ":d1", cmd);
        await().atMost(WAIT).until(() -> slow.deliveries.size() == 1);

        // handed over but unanswered: stored already, not committed
        assertThat(h.inbox("d1")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.committed()).isLessThan(h.produced());
        slow.hold.countDown();
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.stat(id(cmd))).containsEntry("online", "1");
    }

    @Test
    void batch_whenRedisStallsMidway_thenNothingCommittedUntilRetrySucceeds() throws Exception {
        // its own redis-server: this test pauses it
        try (RedisServer own = RedisServer.start(); RouterHarness mine = new RouterHarness(own.uri(), false, zk, kafka)) {
            RouterNode router = mine.startRouter(Map.of(RedisSettings.TIMEOUT_MS, 300, RouterSettings.RETRY_BACKOFF_MS, 100));
            PushCommand cmd = Commands.toDevices(mine.appKey, 3600, "patient");
            mine.produced();
            assertThat(own.command("CLIENT PAUSE 8000 ALL")).isEqualTo("+OK");

            mine.publish(mine.appKey + ":patient", cmd);

            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                    .until(() -> mine.committed() < mine.produced());
            await().atMost(WAIT).until(() -> mine.committed() == mine.produced());
            assertThat(mine.inbox("patient")).containsExactly(RedisKeys.inboxMember(id(cmd)));
            assertThat(router.metrics().getSampleValue("longlink_router_batches_total", new String[] {"result"},
                    new String[] {"retried"})).isGreaterThanOrEqualTo(1.0);
        }
    }

    @Test
    void unreadableCommands_whenConsumed_thenSkippedCommittedAndLaterOnesRouted() throws Exception {
        RouterNode router = h.startRouter(Map.of());
        PushCommand good = Commands.toDevices(h.appKey, 3600, "after");

        h.publish(h.appKey, new byte[] {0x0a, (byte) 0xff, 0x01});
        h.publish(h.appKey, PushCommand.newBuilder().setAppKey(h.appKey).build());
        h.publish(h.appKey, good);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("after")).containsExactly(RedisKeys.inboxMember(id(good)));
        assertThat(router.metrics().getSampleValue("longlink_router_commands_total", new String[] {"result"},
                new String[] {"unreadable"})).isEqualTo(2.0);
    }

    @Test
    void connNode_whenItLeavesMembership_thenRoutesToItAreOffline() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        conn.leave();
        await().atMost(WAIT).until(() -> router.connNodeLinks() == 0);
        h.set(RedisKeys.route(h.appKey, "left-behind"), "conn-a|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "left-behind");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("stored")));
        assertThat(conn.deliveries).isEmpty();
    }

    @Test
    void twoRouters_whenOneStopsMidStream_thenEveryCommandLandsInItsInbox() throws Exception {
        RouterNode first = h.startRouter(Map.of(RouterSettings.MAX_POLL_RECORDS, 10));
        RouterNode second = h.startRouter(Map.of(RouterSettings.MAX_POLL_RECORDS, 10));
        int total = 400;
        PushCommand[] cmds = new PushCommand[total];
        for (int i = 0; i < total / 2; i++) {
            cmds[i] = Commands.toDevices(h.appKey, 3600, "dev-" + i);
            h.publish(h.appKey + ":dev-" + i, cmds[i]);
        }
        await().atMost(WAIT).until(() -> h.committed() >= 40);

        first.close();
        for (int i = total / 2; i < total; i++) {
            cmds[i] = Commands.toDevices(h.appKey, 3600, "dev-" + i);
            h.publish(h.appKey + ":dev-" + i, cmds[i]);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> h.committed() == h.produced());
        for (int i = 0; i < total; i++) {
            assertThat(h.inbox("dev-" + i)).as("inbox of dev-" + i).containsExactly(RedisKeys.inboxMember(id(cmds[i])));
        }
        assertThat(second.isReady()).isTrue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
