package io.longlink.router;

import static io.longlink.router.Commands.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.TagFilter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The router against a three-master Redis Cluster: lookups span slots, scripts stay within one. */
class RouterClusterIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedRedisCluster();

    @Test
    void batch_whenDevicesSpreadOverSlots_thenOnlineDeliveredOfflineStoredAndAliasesExpanded() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouter(Map.of(RouterSettings.INBOX_MAX, 2));
        await().atMost(WAIT).until(() -> router.connNodeLinks() == 1);
        List<String> online = new ArrayList<>();
        List<String> offline = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String device = "d" + i;
            if (i % 2 == 0) {
                h.route(device, "conn-a|c" + i);
                online.add(device);
            } else {
                offline.add(device);
            }
        }
        List<String> all = new ArrayList<>(online);
        all.addAll(offline);
        PushCommand toAll = Commands.toDevices(h.appKey, 3600, all.toArray(String[]::new));
        h.redis.async().sadd(RedisKeys.alias(h.appKey, "carol"), "d1".getBytes(StandardCharsets.UTF_8),
                "d2".getBytes(StandardCharsets.UTF_8)).get();
        PushCommand toAlias = Commands.toAliases(h.appKey, "carol");
        PushCommand third = Commands.toDevices(h.appKey, 3600, "d1");

        h.publish(h.appKey, toAll);
        h.publish(h.appKey, toAlias);
        h.publish(h.appKey + ":d1", third);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.stat(id(toAll))).containsEntry("targeted", "60").containsEntry("online", "30")
                .containsEntry("stored", "30");
        assertThat(conn.deliveries).filteredOn(d -> d.getPush().getMessageId() == id(toAll))
                .extracting(Delivery::getDeviceId).containsExactlyInAnyOrderElementsOf(online);
        for (String d : offline) {
            if (!d.equals("d1")) {
                assertThat(h.inbox(d)).as(d).containsExactly(RedisKeys.inboxMember(id(toAll)));
            }
        }
        // d1 got three messages and holds the newest two (router.inbox-max = 2)
        assertThat(h.inbox("d1")).containsExactly(RedisKeys.inboxMember(id(toAlias)), RedisKeys.inboxMember(id(third)));
        assertThat(h.stat(id(toAlias))).containsEntry("targeted", "2");
        assertThat(h.pttl(RedisKeys.inbox(h.appKey, "d3"))).isPositive();
    }

    @Test
    void tags_whenTtl_thenBroadcastLogWrittenInTheAppsSlot() throws Exception {
        FakeConnNode conn = h.connNode("conn-a");
        RouterNode router = h.startRouter(Map.of());
        await().atMost(WAIT).until(() -> router.connNodeLinks() == 1);
        PushCommand cmd = Commands.toTags(h.appKey, 600, TagFilter.newBuilder().addAllOf("news").build(), 0);

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(conn.fanOuts).hasSize(1);
        assertThat(h.redis.async().zrange(RedisKeys.broadcastLog(h.appKey), 0, -1).get())
                .extracting(v -> new String(v, StandardCharsets.UTF_8)).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.pttl(RedisKeys.broadcastFilter(h.appKey))).isBetween(1L, 600_000L);
        assertThat(h.getBytes(RedisKeys.message(id(cmd)))).isNotNull();
    }
}
