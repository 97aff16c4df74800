package io.longlink.router;

import static io.longlink.router.Commands.id;
import static io.longlink.router.RouterHarness.WAIT;
import static io.longlink.router.RouterHarness.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.Delivery;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Conn-nodes that are stuck, silent or gone: the batch moves on, its copies wait in the inboxes, and
 * failed DeliveryBatches are retried in the background.
 */
class RouterDeliverIntegrationTest {
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedServers();

    @Test
    void deliver_whenOneConnNodeIsStuck_thenOthersServedAndStuckOnesMessagesStayInInbox() throws Exception {
        FakeConnNode stuck = h.connNode("conn-stuck");
        stuck.hold = new CountDownLatch(1);
        FakeConnNode healthy = h.connNode("conn-ok");
        h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 500,
                RouterSettings.DELIVER_RETRIES, 0), 2);
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
    void deliver_whenFirstBatchGetsNoResultInTime_thenRetriedInBackgroundAndWrittenWithoutHoldingCommit()
            throws Exception {
        FakeConnNode conn = h.connNode("conn-late");
        conn.unansweredBatches.set(1);
        RouterNode router = h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 300,
                RouterSettings.DELIVER_RETRY_BACKOFF_MS, 400, RouterSettings.LINK_RETRY_MS, 100), 1);
        h.route("d1", "conn-late|c-1");
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
        h.route("d1", "conn-dead|c-1");

        h.publish(h.appKey + ":d1", Commands.toDevices(h.appKey, 3600, "d1"));

        await().atMost(WAIT).until(() -> retries(router, "gave_up") == 1.0);
        assertThat(retries(router, "sent")).isEqualTo(2.0);
        assertThat(conn.batches).hasSize(3);
        assertThat(h.committed()).isEqualTo(h.produced());
    }

    private static double retries(RouterNode router, String result) {
        return metric(router, "longlink_router_deliver_retries_total", "result", result);
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
