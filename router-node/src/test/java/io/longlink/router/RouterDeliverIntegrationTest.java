package io.longlink.router;

import static io.longlink.router.Commands.id;
import static io.longlink.router.RouterHarness.WAIT;
import static io.longlink.router.RouterHarness.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.Delivery;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Conn-nodes that are stuck, silent or gone: the batch moves on, its copies wait in the inboxes, and
 * devices whose copies failed are re-drained: the next delivery to such a device carries the redrain
 * flag, and a device that gets none is sent redrain-only deliveries until one is answered.
 */
class RouterDeliverIntegrationTest {
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedServers();

    @Test
    void deliver_whenOneConnNodeIsStuck_thenOthersServedAndStuckOnesMessagesStayInInbox() throws Exception {
        FakeConnNode stuck = h.connNode("conn-stuck");
        stuck.hold = new CountDownLatch(1);
        FakeConnNode healthy = h.connNode("conn-ok");
        h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 500), 2);
        h.route("on-stuck", "conn-stuck|c-1");
        h.route("on-ok", "conn-ok|c-2");
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
    void deliver_whenABatchFailed_thenTheNextCopyToThatDeviceCarriesRedrainUntilOneIsWritten() throws Exception {
        FakeConnNode conn = h.connNode("conn-odd");
        AtomicBoolean once = new AtomicBoolean(true);
        // an unreadable answer fails the batch without resetting the stream
        conn.outcomeCount = n -> once.getAndSet(false) ? n + 1 : n;
        // the background re-drain waits long enough for the next push to come first
        h.startRouterLinked(Map.of(RouterSettings.LINK_RETRY_MS, 20_000), 1);
        h.route("d1", "conn-odd|c-1");
        PushCommand first = Commands.toDevices(h.appKey, 3600, "d1");
        PushCommand second = Commands.toDevices(h.appKey, 3600, "d1");
        PushCommand third = Commands.toDevices(h.appKey, 3600, "d1");

        h.publish(h.appKey + ":d1", first);
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("d1")).containsExactly(RedisKeys.inboxMember(id(first)));
        h.publish(h.appKey + ":d1", second);
        await().atMost(WAIT).until(() -> conn.deliveries.size() == 2 && h.committed() == h.produced());
        h.publish(h.appKey + ":d1", third);
        await().atMost(WAIT).until(() -> conn.deliveries.size() == 3);

        // the failed copy is in the inbox: the conn-node re-drains it before writing the next one
        assertThat(conn.deliveries).extracting(d -> d.getPush().getMessageId(), Delivery::getRedrain)
                .containsExactly(tuple(id(first), false), tuple(id(second), true), tuple(id(third), false));
        assertThat(h.stat(id(first))).containsEntry("stored", "1");
    }

    @Test
    void deliver_whenABatchGotNoResultAndNoOtherPushComes_thenRedrainOnlyDeliveriesUntilOneIsAnswered()
            throws Exception {
        FakeConnNode conn = h.connNode("conn-late");
        conn.unansweredBatches.set(2);
        h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 300, RouterSettings.LINK_RETRY_MS, 100), 1);
        h.route("d1", "conn-late|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "d1");

        h.publish(h.appKey + ":d1", cmd);

        // the push's batch and the first re-drain get no result; the second re-drain is answered
        await().atMost(WAIT).until(() -> conn.batches.size() >= 3);
        assertThat(h.committed()).isEqualTo(h.produced());
        assertThat(h.inbox("d1")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        Delivery redrain = conn.deliveries.get(1);
        assertThat(redrain.getRedrain()).isTrue();
        assertThat(redrain.hasPush()).isFalse();
        assertThat(redrain.getConnectionId()).isEqualTo("c-1");
        assertThat(conn.deliveries.get(2)).isEqualTo(redrain);
        // answered: no further re-drain
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> conn.batches.size() == 3);
    }

    @Test
    void deliver_whenAnOnlineOnlyBatchGotNoResult_thenNeitherSentAgainNorRedrained() throws Exception {
        FakeConnNode conn = h.connNode("conn-late");
        conn.unansweredBatches.set(1);
        h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 300, RouterSettings.LINK_RETRY_MS, 100), 1);
        h.route("d1", "conn-late|c-1");

        h.publish(h.appKey + ":d1", Commands.toDevices(h.appKey, 0, "d1"));

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> conn.batches.size() == 1);
    }

    @Test
    void deliver_whenTheConnNodeIsUnreachableButStillAMember_thenStoredAtOnceAndRedrainedWhenItAnswersAgain()
            throws Exception {
        FakeConnNode conn = h.connNode("conn-crashed");
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 60_000,
                RouterSettings.LINK_RETRY_MS, 100), 1);
        h.route("d1", "conn-crashed|c-1");
        conn.stopServing();
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "d1");

        long start = System.nanoTime();
        h.publish(h.appKey + ":d1", cmd);

        // not waiting for the deliver timeout, nor for ZooKeeper to drop the node
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(h.inbox("d1")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(metric(router, "longlink_router_redrains_total", "event", "marked")).isEqualTo(1.0);
        conn.resumeServing();
        await().atMost(WAIT).until(() -> !conn.deliveries.isEmpty());
        assertThat(conn.deliveries).allSatisfy(d -> {
            assertThat(d.getRedrain()).isTrue();
            assertThat(d.hasPush()).isFalse();
            assertThat(d.getConnectionId()).isEqualTo("c-1");
        });
        await().atMost(WAIT).until(() -> metric(router, "longlink_router_redrains_total", "event", "cleared") == 1.0);
    }

    @Test
    void connNode_whenItLeavesMembership_thenRoutesToItAreOffline() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouterLinked(Map.of(), 1);
        conn.leave();
        await().atMost(WAIT).until(() -> router.connNodeLinks() == 0);
        h.route("left-behind", "conn-a|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "left-behind");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> "1".equals(h.stat(id(cmd)).get("stored")));
        assertThat(conn.deliveries).isEmpty();
    }
}
