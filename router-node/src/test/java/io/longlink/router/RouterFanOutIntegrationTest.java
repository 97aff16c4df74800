package io.longlink.router;

import static io.longlink.router.Commands.id;
import static io.longlink.router.RouterHarness.WAIT;
import static io.longlink.router.RouterHarness.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RouterLagReport;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.TagFilter;
import io.longlink.proto.receipt.ReceiptKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tag and broadcast pushes: one FanOut per conn-node, the broadcast log, and spread fan-outs. */
class RouterFanOutIntegrationTest {
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedServers();

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

        // the log is capped: the earliest entry and its filter go, and the trim is counted on its message
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
        assertThat(a.fanOuts).extracting(FanOutRequest::getLogPosition).containsExactly(1L, 2L, 3L);
        await().atMost(WAIT).until(() -> h.stat(id(cmd)).containsKey("log_trimmed_ms"));
        assertThat(metric(router, "longlink_router_broadcast_log_trimmed_total")).isEqualTo(1.0);
        await().atMost(WAIT).untilAsserted(() -> assertThat(h.receipts(ReceiptKind.DROPPED))
                .containsExactly("/" + Long.toUnsignedString(id(cmd))));
    }

    @Test
    void broadcast_whenALaterAcceptedPushHasALowerId_thenLoggedAfterTheEarlierOne() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        h.startRouterLinked(Map.of(), 1);
        PushCommand lowerId = Commands.broadcast(h.appKey, 3600);
        PushCommand higherId = Commands.broadcast(h.appKey, 3600);

        // as two api-nodes whose clocks differ would: the later push carries the lower id
        h.publish(h.appKey, higherId);
        h.publish(h.appKey, lowerId);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.redis.async().zrange(RedisKeys.broadcastLog(h.appKey), 0, -1).get()).as("score order")
                .extracting(v -> new String(v, StandardCharsets.UTF_8))
                .containsExactly(RedisKeys.inboxMember(id(higherId)), RedisKeys.inboxMember(id(lowerId)));
        assertThat(a.fanOuts).extracting(r -> r.getPush().getMessageId(), FanOutRequest::getLogPosition)
                .containsExactly(tuple(id(higherId), 1L), tuple(id(lowerId), 2L));
        assertThat(h.get(RedisKeys.broadcastSeq(h.appKey))).isEqualTo("2");
    }

    @Test
    void broadcast_whenOnlineOnly_thenFanOutWithoutLogOrBody() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        h.startRouterLinked(Map.of(), 1);
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
        h.startRouterLinked(Map.of(RouterSettings.FANOUT_MAX_INFLIGHT, 2), 1);
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
    void fanOut_whenSpread_thenAwaitedLikeAnyOtherAndCountedFromItsAnswer() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        a.fanOutHold = new CountDownLatch(1);
        h.startRouterLinked(Map.of(RouterSettings.FANOUT_TIMEOUT_MS, 20_000), 1);
        PushCommand cmd = Commands.toTags(h.appKey, 600, TagFilter.newBuilder().addAnyOf("all").build(), 5_000);

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> a.fanOuts.size() == 1);
        // the conn-node has not answered (it answers after matching and the first share of writes)
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> h.committed() < h.produced());
        a.fanOutHold.countDown();
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        await().atMost(WAIT).until(() -> "2".equals(h.stat(id(cmd)).get("online")));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "3");
    }

    @Test
    void lag_whenAFanOutIsStuck_thenReportedInRedisAndTheGaugeGrowingAndZeroAgainOnceItIsAnswered()
            throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        a.fanOutHold = new CountDownLatch(1);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.FANOUT_TIMEOUT_MS, 20_000), 1);
        String key = RedisKeys.routerLag(h.commandTopic);
        String field = router.nodeId();
        await().atMost(WAIT).until(() -> lag(key, field) != null);
        assertThat(lag(key, field).behindMs()).isZero();
        PushCommand cmd = Commands.broadcast(h.appKey, 600);

        h.publish(h.appKey, cmd);

        // the round waits for the FanOut: its push grows older, and the report says so while it waits
        await().atMost(WAIT).until(() -> lag(key, field).behindMs() >= 1_500);
        assertThat(lag(key, field).atMs()).isCloseTo(System.currentTimeMillis(), Offset.offset(2_000L));
        assertThat(metric(router, "longlink_router_behind_ms")).isGreaterThanOrEqualTo(1_500.0);
        a.fanOutHold.countDown();
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        // a finished round is remembered for one to two seconds, then the idle router is 0 behind
        await().atMost(WAIT).until(() -> lag(key, field).behindMs() == 0);
        assertThat(metric(router, "longlink_router_behind_ms")).isZero();

        router.close();
        assertThat(h.redis.async().hexists(key, field).get()).isFalse();
    }

    private RouterLagReport lag(String key, String field) throws Exception {
        return RouterLagReport.parse(h.redis.async().hget(key, field).get());
    }

    @Test
    void fanOut_whenRefused_thenRetriedUntilAnsweredBeforeTheBatchIsCommitted() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        FakeConnNode b = h.connNode("conn-b");
        b.fanOutRefusals.set(3);
        RouterNode router = h.startRouterLinked(Map.of(), 2);
        PushCommand cmd = Commands.broadcast(h.appKey, 0);

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(a.fanOuts).hasSize(1);
        assertThat(b.fanOuts).hasSize(4);
        await().atMost(WAIT).until(() -> "6".equals(h.stat(id(cmd)).get("targeted")));
        assertThat(h.stat(id(cmd))).containsEntry("online", "4");
        assertThat(metric(router, "longlink_router_fanouts_total", "result", "retried")).isEqualTo(3.0);
        assertThat(metric(router, "longlink_router_fanouts_total", "result", "ok")).isEqualTo(2.0);
    }

    @Test
    void fanOut_whenStillRefusedAfterTheRetryBound_thenTheBatchIsNotCommittedAndIsRoutedAgain() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        a.fanOutRefusals.set(Integer.MAX_VALUE);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.FANOUT_RETRY_MS, 500,
                RouterSettings.RETRY_BACKOFF_MS, 100), 1);
        PushCommand cmd = Commands.toTags(h.appKey, 600, TagFilter.newBuilder().addAnyOf("all").build(), 0);

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> metric(router, "longlink_router_batches_total", "result", "retried") >= 1);
        assertThat(h.committed()).isLessThan(h.produced());
        a.fanOutRefusals.set(0);
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(a.fanOuts.get(a.fanOuts.size() - 1).getPush()).isEqualTo(cmd.getPush());
        assertThat(a.fanOuts).extracting(FanOutRequest::getLogPosition).containsOnly(1L);
    }

    @Test
    void fanOut_whenTheFailingNodeLeavesMembership_thenGivenUpAndTheBatchCommitted() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        a.fanOutRefusals.set(Integer.MAX_VALUE);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.FANOUT_RETRY_MS, 60_000), 1);
        PushCommand cmd = Commands.broadcast(h.appKey, 600);

        h.publish(h.appKey, cmd);
        await().atMost(WAIT).until(() -> a.fanOuts.size() >= 2);
        assertThat(h.committed()).isLessThan(h.produced());

        a.leave();

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(metric(router, "longlink_router_fanouts_total", "result", "given_up")).isEqualTo(1.0);
    }

    @Test
    void connNode_whenDraining_thenItKeepsItsLinkAndStillGetsFanOutsAndDeliveries() throws Exception {
        FakeConnNode a = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        a.drain(h.zk);
        h.route("still-here", "conn-a|c-1");
        PushCommand bcast = Commands.broadcast(h.appKey, 0);
        PushCommand direct = Commands.toDevices(h.appKey, 600, "still-here");

        h.publish(h.appKey, bcast);
        h.publish(h.appKey + ":still-here", direct);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(router.connNodeLinks()).isEqualTo(1);
        assertThat(a.fanOuts).hasSize(1);
        assertThat(a.deliveries).extracting(d -> d.getPush().getMessageId()).containsExactly(id(direct));
    }
}
