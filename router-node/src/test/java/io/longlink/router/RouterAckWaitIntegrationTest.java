package io.longlink.router;

import static io.longlink.router.Commands.id;
import static io.longlink.router.RouterHarness.WAIT;
import static io.longlink.router.RouterHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unicast copies delivered before any inbox write, stored only when the device does not acknowledge
 * them in time (router.ack-wait-ms).
 */
class RouterAckWaitIntegrationTest {
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedServers();

    @Test
    void unicast_whenDeviceAcksWithinAckWait_thenNeverInTheInboxAndCountedAcked() throws Exception {
        FakeConnNode conn = ackingConnNodeBehindRouter();
        h.route("quick", "conn-a|c-21");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "quick");

        h.publish(h.appKey + ":quick", cmd);

        await().atMost(WAIT).until(() -> h.stat(id(cmd)).containsKey("online") && h.stat(id(cmd)).containsKey("acked"));
        assertThat(conn.deliveries.get(0).getAwaitAck()).isTrue();
        assertThat(conn.batches.get(0).getAckWaitMs()).isEqualTo(400);
        assertThat(h.stat(id(cmd))).containsEntry("targeted", "1").containsEntry("online", "1")
                .containsEntry("acked", "1").doesNotContainKey("stored");
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("quick")).isEmpty();
        // acknowledged within the wait: the message leaves one key in Redis, its status; no body
        assertThat(h.getBytes(RedisKeys.message(id(cmd)))).isNull();
    }

    @Test
    void unicast_whenOneCopyAckedAndOneStored_thenAckedIncrementedNotOverwritten() throws Exception {
        FakeConnNode conn = ackingConnNodeBehindRouter();
        h.route("quick", "conn-a|c-23");
        PushCommand cmd = Commands.toDevices(h.appKey, 600, "quick", "away");
        // a conn-node's count for the stored copy, acknowledged late, that landed before the router's
        h.redis.async().hset(RedisKeys.stat(id(cmd)), "acked", bytes("1")).get();

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.stat(id(cmd)).containsKey("stored"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(h.stat(id(cmd))).containsEntry("targeted", "2")
                .containsEntry("online", "1").containsEntry("stored", "1").containsEntry("acked", "2"));
        assertThat(h.inbox("away")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.inbox("quick")).isEmpty();
        // a copy is stored: its body is stored with it, for the message's TTL
        assertThat(Push.parseFrom(h.getBytes(RedisKeys.message(id(cmd))))).isEqualTo(cmd.getPush());
        assertThat(h.pttl(RedisKeys.message(id(cmd)))).isBetween(590_000L, 600_000L);
    }

    @Test
    void unicast_whenWrittenButNotAckedInTime_thenStoredAfterTheAnswerAndBeforeTheCommit() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        conn.hold = new CountDownLatch(1);
        h.startRouterLinked(Map.of(RouterSettings.ACK_WAIT_MS, 250,
                RouterSettings.DELIVER_TIMEOUT_MS, 60_000), 1);
        h.route("silent", "conn-a|c-22");
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
        // admitted without a body, stored for the TTL with the missed copies
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
        h.startRouterLinked(Map.of(), 1);
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
        h.startRouterLinked(Map.of(), 1);
        h.route("quick", "conn-a|c-51");
        h.route("sluggish", "conn-a|c-52");
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
        h.startRouterLinked(Map.of(), 1);
        h.route("sluggish", "conn-a|c-41");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "sluggish");

        h.publish(h.appKey + ":sluggish", cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("stored")));
        assertThat(conn.deliveries).hasSize(2);
        assertThat(conn.deliveries.get(0).getAwaitAck()).isTrue();
        assertThat(conn.deliveries.get(1).getAwaitAck()).isFalse();
        assertThat(h.inbox("sluggish")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.stat(id(cmd))).doesNotContainKey("online");
    }

    /** conn-a, answering ACKED for each awaited copy, linked to a router with a 400 ms ACK wait. */
    private FakeConnNode ackingConnNodeBehindRouter() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        conn.outcome = d -> d.getAwaitAck() ? Outcome.ACKED : Outcome.WRITTEN;
        h.startRouterLinked(Map.of(RouterSettings.ACK_WAIT_MS, 400), 1);
        return conn;
    }
}
