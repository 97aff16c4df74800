package io.longlink.router;

import static io.longlink.router.Commands.id;
import static io.longlink.router.RouterHarness.WAIT;
import static io.longlink.router.RouterHarness.bytes;
import static io.longlink.router.RouterHarness.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.Outcome;
import io.longlink.proto.receipt.ReceiptKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pushes to devices and aliases: inbox writes, delivery, revocation and the status counts they leave. */
class RouterUnicastIntegrationTest {
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedServers();

    @Test
    void unicast_whenAckWaitOff_thenStoredFirstThenDeliveredOverDeliverAndCounted() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        h.startRouterLinked(Map.of(RouterSettings.ACK_WAIT_MS, 0), 1);
        h.route("phone-1", "conn-a|c-17");
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
    void unicast_whenOfflineOrRouteToDeadNode_thenInboxOnlyAndCountedStored() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        h.startRouter(Map.of());
        h.route("ghost", "conn-gone|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "nobody", "ghost");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> "2".equals(h.stat(id(cmd)).get("stored")));
        assertThat(h.inbox("nobody")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.inbox("ghost")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "2").doesNotContainKey("online");
        assertThat(conn.deliveries).isEmpty();
    }

    @Test
    void unicast_whenSameCommandRoutedAgain_thenDeliveredAgainAndTheStatusCountsEachDeviceOnce() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        h.startRouterLinked(Map.of(), 1);
        h.route("again", "conn-a|c-3");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "again", "offline-too");

        h.publish(h.appKey, cmd);
        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("online")));
        String routedMs = h.stat(id(cmd)).get("routed_ms");
        // what a router crash between delivery and commit leads to: the command is consumed again
        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> conn.deliveries.size() == 2 && h.committed() == h.produced());
        // the next command's status is written after the retry's: the retry's would be there by then
        PushCommand next = Commands.toDevices(h.appKey, 600, "elsewhere");
        h.publish(h.appKey, next);
        await().atMost(WAIT).until(() -> h.stat(id(next)).containsKey("stored"));
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "2").containsEntry("routed_ms", routedMs)
                .containsEntry("online", "1").containsEntry("stored", "1");
        assertThat(Push.parseFrom(h.getBytes(RedisKeys.message(id(cmd))))).isEqualTo(cmd.getPush());
        assertThat(h.inbox("offline-too")).containsExactly(RedisKeys.inboxMember(id(cmd)));
    }

    @Test
    void unicast_whenRoutedAgainAfterCrashBeforeStatus_thenStatusWrittenByTheRetry() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        h.startRouterLinked(Map.of(), 1);
        h.route("crashy", "conn-a|c-4");
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
        h.startRouterLinked(Map.of(), 1);
        h.route("moved", "conn-a|c-2");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "moved");

        h.publish(h.appKey + ":moved", cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("stored")));
        assertThat(conn.deliveries).hasSize(1);
        assertThat(h.inbox("moved")).containsExactly(RedisKeys.inboxMember(id(cmd)));
    }

    @Test
    void onlineOnly_whenDeviceOffline_thenNothingStoredAndWhenOnlineDeliveredWithoutInbox() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        h.startRouterLinked(Map.of(), 1);
        h.route("on", "conn-a|c-3");
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
    void inbox_whenMoreThanBound_thenEarliestDroppedAndEachDropCountedWithAReceipt() throws Exception {
        RouterNode router = h.startRouter(Map.of(RouterSettings.INBOX_MAX, 3));
        PushCommand[] cmds = new PushCommand[5];
        for (int i = 0; i < cmds.length; i++) {
            cmds[i] = Commands.toDevices(h.appKey, 3600, "full");
            h.publish(h.appKey + ":full", cmds[i]);
        }

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("full")).containsExactly(RedisKeys.inboxMember(id(cmds[2])),
                RedisKeys.inboxMember(id(cmds[3])), RedisKeys.inboxMember(id(cmds[4])));
        await().atMost(WAIT).until(() -> metric(router, "longlink_router_inbox_dropped_total") == 2.0);
        assertThat(h.stat(id(cmds[0]))).containsEntry("dropped", "1").containsEntry("stored", "1");
        assertThat(h.stat(id(cmds[1]))).containsEntry("dropped", "1");
        assertThat(h.stat(id(cmds[2]))).doesNotContainKey("dropped");
        await().atMost(WAIT).untilAsserted(() -> assertThat(h.receipts(ReceiptKind.DROPPED))
                .containsExactlyInAnyOrder("full/" + Long.toUnsignedString(id(cmds[0])),
                        "full/" + Long.toUnsignedString(id(cmds[1]))));
    }

    @Test
    void inbox_whenALaterAcceptedPushHasALowerId_thenItsPositionIsAfterTheEarlierOne() throws Exception {
        h.startRouter(Map.of());
        PushCommand lowerId = Commands.toDevices(h.appKey, 3600, "d1");
        PushCommand higherId = Commands.toDevices(h.appKey, 3600, "d1");

        // as two api-nodes whose clocks differ would: the later push carries the lower id
        h.publish(h.appKey + ":d1", higherId);
        h.publish(h.appKey + ":d1", lowerId);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("d1")).as("score order").containsExactly(RedisKeys.inboxMember(id(higherId)),
                RedisKeys.inboxMember(id(lowerId)));
        assertThat(h.get(RedisKeys.inboxSeq(h.appKey, "d1"))).isEqualTo("2");
        assertThat(h.pttl(RedisKeys.inboxSeq(h.appKey, "d1"))).isBetween(1L, 3_600_000L);
    }

    @Test
    void inbox_whenSameCollapseKey_thenTheLaterAcceptedReplacesTheEarlierWhateverTheirIds() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        h.startRouterLinked(Map.of(), 1);
        PushCommand lowerId = Commands.collapsing(h.appKey, "fan", "score");
        PushCommand unrelated = Commands.toDevices(h.appKey, 3600, "fan");
        PushCommand higherId = Commands.collapsing(h.appKey, "fan", "score");

        h.publish(h.appKey + ":fan", higherId);
        h.publish(h.appKey + ":fan", unrelated);
        h.publish(h.appKey + ":fan", lowerId);
        await().atMost(WAIT).until(() -> h.committed() == h.produced());

        assertThat(h.inbox("fan")).containsExactly(RedisKeys.inboxMember(id(unrelated)),
                RedisKeys.inboxMember(id(lowerId)));
        assertThat(new String(h.redis.async().hget(RedisKeys.collapse(h.appKey, "fan"), "score").get(),
                StandardCharsets.UTF_8)).isEqualTo(RedisKeys.inboxMember(id(lowerId)));
        assertThat(h.pttl(RedisKeys.collapse(h.appKey, "fan"))).isPositive();
        assertThat(h.stat(id(higherId))).as("replaced: not a drop").doesNotContainKey("dropped");

        // the same command routed again (after a crash) keeps its position and replaces nothing
        h.route("fan", "conn-a|c-1");
        h.publish(h.appKey + ":fan", lowerId);
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("fan")).containsExactly(RedisKeys.inboxMember(id(unrelated)),
                RedisKeys.inboxMember(id(lowerId)));
        assertThat(conn.deliveries).extracting(d -> d.getPush().getMessageId()).containsExactly(id(lowerId));
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
        h.route("r1", "conn-a|c-1");
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
        assertThat(metric(router, "longlink_router_commands_total", "result", "revoked")).isEqualTo(1.0);
    }
}
