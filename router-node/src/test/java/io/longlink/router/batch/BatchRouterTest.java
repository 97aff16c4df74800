package io.longlink.router.batch;

import static io.longlink.router.Commands.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.Outcome;
import io.longlink.proto.internal.TagFilter;
import io.longlink.router.Commands;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The whole sequence of phases over an in-memory Redis and conn-node links. */
class BatchRouterTest {
    private static final String APP = "app1";
    private static final long NOW = 1_700_000_000_000L;
    private static final int ACK_WAIT_MS = 250;

    private final FakeStore store = new FakeStore();
    private final FakeLinks links = new FakeLinks();
    private final FakeLinks.Link connA = links.add("conn-a");
    private final CollectorRegistry registry = new CollectorRegistry();
    private final RecordingReceipts receipts = new RecordingReceipts();

    private BatchRouter router(int ackWaitMs) {
        return router(10_000, ackWaitMs);
    }

    private BatchRouter router(int batchMaxTargets, int ackWaitMs) {
        return new BatchRouter(store, links, receipts,
                new RouterMetrics(registry), () -> NOW, Limits.of(batchMaxTargets, ackWaitMs));
    }

    /** A command to {@code devices}, the first of them connected to conn-a as {@code connectionId}. */
    private PushCommand toDevicesFirstOnline(int ttlSeconds, String connectionId, String... devices) {
        store.route(APP, devices[0], "conn-a|" + connectionId);
        return Commands.toDevices(APP, ttlSeconds, devices);
    }

    @Test
    void route_whenOnlineAndAckWaitOff_thenStoredBeforeDeliveryThenWrittenAndCounted() throws Exception {
        PushCommand cmd = toDevicesFirstOnline(600, "c-17", "phone");

        router(0).route(List.of(cmd));

        assertThat(store.roundTrips).containsExactly(List.of("storeBody", "routes", "addToInbox"),
                List.of("firstRouted"));
        assertThat(connA.batches).singleElement().satisfies(b -> assertThat(b.ackWaitMs()).isZero());
        Delivery d = connA.deliveries().get(0);
        assertThat(d.getAppKey()).isEqualTo(APP);
        assertThat(d.getDeviceId()).isEqualTo("phone");
        assertThat(d.getConnectionId()).isEqualTo("c-17");
        assertThat(d.getPush()).isEqualTo(cmd.getPush());
        assertThat(d.getAwaitAck()).isFalse();
        assertThat(store.inbox(APP, "phone")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.bodyTtls).containsEntry(id(cmd), 600_000L);
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 1L, "online", 1L));
        assertThat(deliveries("written")).isEqualTo(1.0);
        assertThat(commands("routed")).isEqualTo(1.0);
        assertThat(receipts.stored).isEmpty();
    }

    @Test
    void route_whenAwaitedCopyAcked_thenNeverStoredAndAckedCountedInTheFirstHset() throws Exception {
        connA.outcome = d -> d.getAwaitAck() ? Outcome.ACKED : Outcome.WRITTEN;
        PushCommand cmd = toDevicesFirstOnline(3600, "c-21", "quick");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(store.roundTrips).containsExactly(List.of("revocation", "routes"), List.of("firstRouted"));
        assertThat(connA.batches).singleElement().satisfies(b -> assertThat(b.ackWaitMs()).isEqualTo(ACK_WAIT_MS));
        assertThat(connA.deliveries().get(0).getAwaitAck()).isTrue();
        assertThat(store.inbox(APP, "quick")).isEmpty();
        assertThat(store.bodies).as("acknowledged in time: no body in Redis").doesNotContainKey(id(cmd));
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 1L, "online", 1L, "acked", 1L));
        assertThat(deliveries("acked")).isEqualTo(1.0);
    }

    @Test
    void route_whenOneCopyAckedAndOneStored_thenAckedIncrementedNotOverwritten() throws Exception {
        connA.outcome = d -> d.getAwaitAck() ? Outcome.ACKED : Outcome.WRITTEN;
        PushCommand cmd = toDevicesFirstOnline(600, "c-23", "quick", "away");
        // a conn-node's count for the stored copy, acknowledged late, that landed before the router's
        store.stats.put(id(cmd), new HashMap<>(Map.of("acked", 1L)));

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(store.roundTrips.get(3)).containsExactly("count", "firstRouted");
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 2L, "online", 1L,
                "stored", 1L, "acked", 2L));
        assertThat(store.inbox(APP, "quick")).isEmpty();
        assertThat(store.bodyTtls).containsEntry(id(cmd), 600_000L);
    }

    @Test
    void route_whenOfflineOrRouteToUnknownNode_thenInboxOnlyAndCountedStoredWithReceipts() throws Exception {
        store.route(APP, "ghost", "conn-gone|c-1");
        PushCommand cmd = Commands.toDevices(APP, 3600, "nobody", "ghost");

        router(0).route(List.of(cmd));

        assertThat(store.inbox(APP, "nobody")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.inbox(APP, "ghost")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(connA.batches).isEmpty();
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 2L, "stored", 2L));
        assertThat(deliveries("offline")).isEqualTo(2.0);
        assertThat(receipts.stored).containsExactly("nobody@" + NOW, "ghost@" + NOW);
    }

    @Test
    void route_whenAwaitedCopyOffline_thenStoredAfterDeliveryAndBodyKeptForTheTtl() throws Exception {
        PushCommand cmd = Commands.toDevices(APP, 3600, "away");

        router(ACK_WAIT_MS).route(List.of(cmd));

        // admitted without a body (a copy acknowledged in time needs none); the body goes first once it is missed
        assertThat(store.roundTrips).containsExactly(List.of("revocation", "routes"), List.of("storeBody"),
                List.of("addToInbox", "routes"), List.of("firstRouted"));
        assertThat(store.inbox(APP, "away")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.bodyTtls).containsEntry(id(cmd), 3_600_000L);
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 1L, "stored", 1L));
        assertThat(receipts.stored).containsExactly("away@" + NOW);
    }

    @Test
    void route_whenAwaitedCopyWrittenButNotAcked_thenBodyStoredOnceThenTheCopiesAndCountedOnline() throws Exception {
        PushCommand cmd = toDevicesFirstOnline(3600, "c-22", "silent", "away");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(store.roundTrips.get(1)).containsExactly("storeBody");
        assertThat(store.roundTrips.get(2)).containsExactly("addToInbox", "addToInbox", "routes");
        assertThat(store.inbox(APP, "silent")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.inbox(APP, "away")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.bodyTtls).containsEntry(id(cmd), 3_600_000L);
        assertThat(connA.deliveries()).as("the device did not connect anew: not sent again").hasSize(1);
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 2L, "online", 1L,
                "stored", 1L));
        assertThat(deliveries("written")).isEqualTo(1.0);
        assertThat(deliveries("offline")).isEqualTo(1.0);
    }

    @Test
    void route_whenStaleRouteAndDeviceNotBack_thenStoredAndCountedStaleRoute() throws Exception {
        connA.outcome = d -> Outcome.STALE_ROUTE;
        PushCommand cmd = toDevicesFirstOnline(3600, "c-2", "moved");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(connA.deliveries()).hasSize(1);
        assertThat(store.inbox(APP, "moved")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.stat(id(cmd))).containsEntry("stored", 1L).doesNotContainKey("online");
        assertThat(deliveries("stale_route")).isEqualTo(1.0);
    }

    @Test
    void route_whenDeviceReconnectedWhileAwaited_thenSentAgainToItsNewConnectionAfterTheInboxWrite()
            throws Exception {
        connA.outcome = d -> {
            if (d.getAwaitAck()) {
                store.route(APP, "hopper", "conn-a|c-32"); // it connected again while its copy was on the way
                return Outcome.STALE_ROUTE;
            }
            return Outcome.WRITTEN;
        };
        PushCommand cmd = toDevicesFirstOnline(3600, "c-31", "hopper");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(connA.deliveries()).extracting(Delivery::getConnectionId).containsExactly("c-31", "c-32");
        assertThat(connA.batches.get(1).ackWaitMs()).isZero();
        assertThat(connA.deliveries().get(1).getAwaitAck()).isFalse();
        assertThat(store.inbox(APP, "hopper")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.stat(id(cmd))).containsEntry("online", 1L).doesNotContainKey("stored");
        assertThat(deliveries("stale_route")).isZero();
        assertThat(receipts.stored).isEmpty();
    }

    @Test
    void route_whenSlowReaderRejectedAwaitedCopy_thenResentAfterTheStoreAndCountedOnline() throws Exception {
        connA.outcome = d -> d.getAwaitAck() ? Outcome.REJECTED : Outcome.WRITTEN;
        PushCommand cmd = toDevicesFirstOnline(3600, "c-41", "sluggish");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(connA.deliveries()).extracting(Delivery::getAwaitAck).containsExactly(true, false);
        assertThat(store.roundTrips.get(1)).containsExactly("storeBody");
        assertThat(store.roundTrips.get(2)).containsExactly("addToInbox", "routes");
        assertThat(store.inbox(APP, "sluggish")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.stat(id(cmd))).containsEntry("online", 1L).doesNotContainKey("stored");
        assertThat(deliveries("written")).isEqualTo(1.0);
        assertThat(deliveries("rejected")).isZero();
    }

    @Test
    void route_whenResentCopyRejectedAgain_thenCountedStoredAsRejected() throws Exception {
        connA.outcome = d -> Outcome.REJECTED;
        PushCommand cmd = toDevicesFirstOnline(3600, "c-41", "sluggish");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(connA.deliveries()).hasSize(2);
        assertThat(store.stat(id(cmd))).containsEntry("stored", 1L).doesNotContainKey("online");
        assertThat(deliveries("rejected")).isEqualTo(1.0);
        assertThat(receipts.stored).containsExactly("sluggish@" + NOW);
    }

    @Test
    void route_whenOnlineOnlyAndOneDeviceOffline_thenDroppedWithoutInboxBodyOrStoredCount() throws Exception {
        PushCommand cmd = toDevicesFirstOnline(0, "c-3", "on", "off");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(store.roundTrips).containsExactly(List.of("revocation", "routes"), List.of("firstRouted"));
        assertThat(connA.deliveries()).extracting(Delivery::getDeviceId).containsExactly("on");
        assertThat(connA.deliveries().get(0).getAwaitAck()).isFalse();
        assertThat(store.inboxes).isEmpty();
        assertThat(store.bodies).isEmpty();
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 2L, "online", 1L));
        assertThat(deliveries("offline")).isEqualTo(1.0);
        assertThat(receipts.stored).isEmpty();
    }

    @Test
    void route_whenRevokedBeforeRouting_thenNothingDeliveredNorCounted() throws Exception {
        PushCommand cmd = toDevicesFirstOnline(3600, "c-1", "r1");
        store.bodies.put(id(cmd), FakeStore.TOMBSTONE);

        router(0).route(List.of(cmd));

        assertThat(store.bodies.get(id(cmd))).as("the body is not stored over the tombstone").isEmpty();
        assertThat(connA.batches).isEmpty();
        assertThat(store.stats).as("a revoked message gets no routing status").isEmpty();
        assertThat(commands("revoked")).isEqualTo(1.0);
        assertThat(commands("routed")).isZero();
    }

    @Test
    void route_whenRoutedBefore_thenDeliveredAgainAndTheFirstRoutingsStatusKeptAsItIs() throws Exception {
        PushCommand cmd = toDevicesFirstOnline(600, "c-3", "again", "offline-too");
        store.bodies.put(id(cmd), cmd.getPush().toByteArray());
        store.stats.put(id(cmd), new HashMap<>(Map.of("routed_ms", 5L, "targeted", 2L, "online", 1L,
                "stored", 1L)));

        router(0).route(List.of(cmd));

        assertThat(store.roundTrips.get(1)).containsExactly("routedAgain");
        assertThat(store.stat(id(cmd))).as("the status counts devices, not copies").isEqualTo(Map.of(
                "routed_ms", 5L, "targeted", 2L, "online", 1L, "stored", 1L));
        assertThat(connA.deliveries()).hasSize(1);
    }

    @Test
    void route_whenRoutedBeforeButStatusNeverWritten_thenTheRetryWritesIt() throws Exception {
        PushCommand cmd = toDevicesFirstOnline(600, "c-4", "crashy");
        store.bodies.put(id(cmd), cmd.getPush().toByteArray());

        router(0).route(List.of(cmd));

        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 1L, "online", 1L));
    }

    @Test
    void route_whenAliases_thenExpandedFirstToEveryDeviceOnce() throws Exception {
        store.aliases.put(RedisKeys.alias(APP, "alice"), Set.of("a-phone", "a-tablet"));
        store.aliases.put(RedisKeys.alias(APP, "bob"), Set.of("b-phone", "a-tablet"));
        PushCommand cmd = Commands.toAliases(APP, "alice", "bob", "nobody");

        router(0).route(List.of(cmd));

        assertThat(store.roundTrips.get(0)).containsExactly("aliasMembers", "aliasMembers", "aliasMembers");
        for (String d : List.of("a-phone", "a-tablet", "b-phone")) {
            assertThat(store.inbox(APP, d)).containsExactly(RedisKeys.inboxMember(id(cmd)));
        }
        assertThat(store.stat(id(cmd))).containsEntry("targeted", 3L).containsEntry("stored", 3L);
    }

    @Test
    void route_whenTags_thenFanOutToEveryConnNodeBroadcastLogEntryAndCounted() throws Exception {
        FakeLinks.Link connB = links.add("conn-b");
        TagFilter filter = TagFilter.newBuilder().addAnyOf("vip").addNoneOf("muted").build();
        PushCommand cmd = Commands.toTags(APP, 3600, filter, 0);

        router(ACK_WAIT_MS).route(List.of(cmd));

        for (FakeLinks.Link link : List.of(connA, connB)) {
            FanOutRequest req = link.fanOuts.get(0);
            assertThat(req.getAppKey()).isEqualTo(APP);
            assertThat(req.getFilter()).isEqualTo(filter);
            assertThat(req.getBroadcast()).isFalse();
            assertThat(req.getPush()).isEqualTo(cmd.getPush());
            assertThat(link.fanOutDeadlines).containsExactly(5_000L);
        }
        assertThat(store.roundTrips).containsExactly(List.of("storeBody", "routes", "appendBroadcast"),
                List.of("routed", "count", "count"));
        assertThat(store.broadcastLog(APP)).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 6L, "online", 4L));
        assertThat(fanOuts("ok")).isEqualTo(2.0);
    }

    @Test
    void route_whenOneFanOutFails_thenCountedFailedAndOnlyTheOtherAnswerCounted() throws Exception {
        links.add("conn-b").fanOutAnswer = r -> CompletableFuture.failedFuture(new IllegalStateException("gone"));
        PushCommand cmd = Commands.broadcast(APP, 0);

        router(0).route(List.of(cmd));

        assertThat(fanOuts("ok")).isEqualTo(1.0);
        assertThat(fanOuts("failed")).isEqualTo(1.0);
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 3L, "online", 2L));
        assertThat(store.broadcastLogs).as("online only: no log entry").isEmpty();
    }

    @Test
    void route_whenSpreadFanOut_thenAwaitedAndItsAnswerCountedWithTheStatus() throws Exception {
        PushCommand cmd = Commands.toTags(APP, 600, TagFilter.newBuilder().addAnyOf("all").build(), 5_000);

        router(0).route(List.of(cmd));

        assertThat(connA.fanOutDeadlines).containsExactly(10_000L);
        assertThat(store.stat(id(cmd))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 3L, "online", 2L));
        assertThat(store.roundTrips.get(1)).containsExactly("routed", "count", "count");
        assertThat(fanOuts("ok")).isEqualTo(1.0);
    }

    @Test
    void route_whenAFanOutWithATtlStillFailsAfterTheRetryBound_thenThrowsWithoutStatusOnceTheCopiesAreSafe() {
        connA.fanOutAnswer = r -> CompletableFuture.failedFuture(new IllegalStateException("overloaded"));
        BatchRouter router = new BatchRouter(store, links, receipts, new RouterMetrics(registry), () -> NOW,
                Limits.fanOutRetry(0));
        PushCommand tags = Commands.toTags(APP, 600, TagFilter.newBuilder().addAnyOf("all").build(), 0);
        PushCommand direct = Commands.toDevices(APP, 600, "away");

        assertThatThrownBy(() -> router.route(List.of(tags, direct))).hasMessageContaining("overloaded")
                .hasMessageContaining("conn-a");

        assertThat(store.broadcastLog(APP)).containsExactly(RedisKeys.inboxMember(id(tags)));
        assertThat(store.inbox(APP, "away")).containsExactly(RedisKeys.inboxMember(id(direct)));
        assertThat(store.stats).as("written by the routing that succeeds").isEmpty();
        assertThat(fanOuts("failed")).isEqualTo(1.0);
    }

    @Test
    void route_whenCollapseKey_thenTheLaterAcceptedReplacesTheEarlierWhateverTheirIds() throws Exception {
        store.route(APP, "fan", "conn-a|c-1");
        PushCommand lowerId = Commands.collapsing(APP, "fan", "score");
        PushCommand higherId = Commands.collapsing(APP, "fan", "score");
        BatchRouter router = router(ACK_WAIT_MS);

        // accepted in this order: the one with the lower id is the later one
        router.route(List.of(higherId));
        router.route(List.of(lowerId));

        assertThat(store.roundTrips.get(0)).containsExactly("storeBody", "routes", "addToInbox");
        assertThat(connA.deliveries()).extracting(d -> d.getPush().getMessageId())
                .containsExactly(id(higherId), id(lowerId));
        assertThat(connA.deliveries().get(0).getAwaitAck()).as("collapsing copies are not awaited").isFalse();
        assertThat(store.inbox(APP, "fan")).containsExactly(RedisKeys.inboxMember(id(lowerId)));
        assertThat(store.stat(id(lowerId))).isEqualTo(Map.of("routed_ms", NOW, "targeted", 1L, "online", 1L));
    }

    @Test
    void route_whenAnAwaitableCopyPrecedesACollapsingOneForTheSameDevice_thenBothStoredInAcceptanceOrder()
            throws Exception {
        PushCommand plain = Commands.toDevices(APP, 3600, "d1");
        PushCommand collapsing = Commands.collapsing(APP, "d1", "score");
        PushCommand elsewhere = Commands.toDevices(APP, 3600, "d2");

        router(ACK_WAIT_MS).route(List.of(plain, collapsing, elsewhere));

        // d2's copy is awaited (no body yet); d1's plain copy is not, as a collapsing one follows it
        assertThat(store.roundTrips.get(0)).containsExactly("storeBody", "storeBody", "revocation", "routes",
                "addToInbox", "addToInbox");
        assertThat(store.inbox(APP, "d1")).containsExactly(RedisKeys.inboxMember(id(plain)),
                RedisKeys.inboxMember(id(collapsing)));
        assertThat(store.inbox(APP, "d2")).as("awaited, stored after delivery")
                .containsExactly(RedisKeys.inboxMember(id(elsewhere)));
    }

    @Test
    void route_whenTheInboxBoundTrimsCopies_thenEachStillDeliverableOneCountedDroppedWithAReceipt()
            throws Exception {
        BatchRouter router = new BatchRouter(store, links, receipts, new RouterMetrics(registry), () -> NOW,
                Limits.bounds(1, 1_000));
        PushCommand first = Commands.toDevices(APP, 600, "d1");
        PushCommand expired = Commands.toDevices(APP, 600, "d1");
        PushCommand last = Commands.toDevices(APP, 600, "d1");

        router.route(List.of(first));
        router.route(List.of(expired));
        store.bodies.remove(id(expired));
        router.route(List.of(last));

        assertThat(store.inbox(APP, "d1")).containsExactly(RedisKeys.inboxMember(id(last)));
        assertThat(store.stat(id(first))).containsEntry("dropped", 1L);
        assertThat(store.stat(id(expired))).as("its body is gone: not lost to the bound").doesNotContainKey("dropped");
        assertThat(receipts.dropped).containsExactly("d1@" + NOW);
        assertThat(registry.getSampleValue("longlink_router_inbox_dropped_total")).isEqualTo(1.0);
        assertThat(store.roundTrips.get(3)).containsExactly("firstRouted", "countInboxDrop");
    }

    @Test
    void route_whenTheLogBoundTrimsAnEntry_thenLogTrimmedCountedWithAReceiptAndPositionsInTheFanOuts()
            throws Exception {
        BatchRouter router = new BatchRouter(store, links, receipts, new RouterMetrics(registry), () -> NOW,
                Limits.bounds(100, 1));
        PushCommand first = Commands.broadcast(APP, 600);
        PushCommand second = Commands.broadcast(APP, 600);

        router.route(List.of(first));
        router.route(List.of(second));

        assertThat(connA.fanOuts).extracting(FanOutRequest::getLogPosition).containsExactly(1L, 2L);
        assertThat(store.broadcastLog(APP)).containsExactly(RedisKeys.inboxMember(id(second)));
        assertThat(store.stat(id(first))).containsEntry("log_trimmed_ms", NOW);
        assertThat(receipts.dropped).as("no device: the log").containsExactly("@" + NOW);
        assertThat(registry.getSampleValue("longlink_router_broadcast_log_trimmed_total")).isEqualTo(1.0);
    }

    @Test
    void route_whenTheirBatchFails_thenStoredCopiesDevicesMarkedDirtyOnceInTheirInboxesButNotOnlineOnlyOnes()
            throws Exception {
        connA.down = true;
        store.route(APP, "awaited", "conn-a|c-1");
        store.route(APP, "stored", "conn-a|c-2");
        store.route(APP, "online-only", "conn-a|c-3");
        store.route(APP, "gone", "conn-gone|c-4");
        PushCommand awaited = Commands.toDevices(APP, 600, "awaited", "gone");
        PushCommand collapsing = Commands.collapsing(APP, "stored", "k");
        PushCommand onlineOnly = Commands.toDevices(APP, 0, "online-only");

        router(ACK_WAIT_MS).route(List.of(awaited, collapsing, onlineOnly));

        assertThat(connA.dirty).containsExactlyInAnyOrder(APP + "/awaited/c-1", APP + "/stored/c-2");
        assertThat(store.inbox(APP, "awaited")).containsExactly(RedisKeys.inboxMember(id(awaited)));
        assertThat(store.inbox(APP, "stored")).containsExactly(RedisKeys.inboxMember(id(collapsing)));
        assertThat(deliveries("failed")).isEqualTo(3.0);
    }

    @Test
    void route_whenACopySentAgainAfterItsStoreFails_thenItsDeviceMarkedDirtyAtItsNewRoute() throws Exception {
        connA.outcome = d -> {
            if (d.getAwaitAck()) {
                store.route(APP, "hopper", "conn-a|c-2"); // it connected again while its copy was on the way
                connA.down = true;
                return Outcome.STALE_ROUTE;
            }
            return Outcome.WRITTEN;
        };
        PushCommand cmd = toDevicesFirstOnline(3600, "c-1", "hopper");

        router(ACK_WAIT_MS).route(List.of(cmd));

        assertThat(connA.deliveries()).extracting(Delivery::getConnectionId).containsExactly("c-1", "c-2");
        assertThat(connA.dirty).containsExactly(APP + "/hopper/c-2");
    }

    @Test
    void route_whenRedisFailsOnAdmission_thenThrowsBeforeAnyDeliveryOrStatus() {
        store.route(APP, "patient", "conn-a|c-1");
        store.failing.add("routes");
        PushCommand cmd = Commands.toDevices(APP, 3600, "patient");

        assertThatThrownBy(() -> router(0).route(List.of(cmd))).hasMessageContaining("Redis down");

        assertThat(connA.batches).isEmpty();
        assertThat(store.roundTrips).hasSize(1);
        assertThat(store.stats).isEmpty();
        assertThat(commands("routed")).isZero();
    }

    @Test
    void route_whenStoringAMissFails_thenThrowsAndWritesNoStatus() {
        store.failing.add("addToInbox");
        PushCommand cmd = Commands.toDevices(APP, 3600, "away");

        assertThatThrownBy(() -> router(ACK_WAIT_MS).route(List.of(cmd))).hasMessageContaining("Redis down");

        assertThat(store.roundTrips).hasSize(3); // admission, the body, the inbox write that failed
        assertThat(store.stats).isEmpty();
        assertThat(receipts.stored).isEmpty();
    }

    @Test
    void route_whenMoreDevicesThanARoundTakes_thenRoutedInRoundsOfAtMostThatMany() throws Exception {
        List<PushCommand> cmds = List.of(Commands.toDevices(APP, 600, "d1", "d2"), Commands.toDevices(APP, 600, "d3"),
                Commands.toDevices(APP, 600, "d4"));

        router(3, 0).route(cmds);

        assertThat(store.roundTrips).containsExactly(
                List.of("storeBody", "storeBody", "routes", "addToInbox", "addToInbox", "addToInbox"),
                List.of("firstRouted", "firstRouted"),
                List.of("storeBody", "routes", "addToInbox"), List.of("firstRouted"));
    }

    private double deliveries(String outcome) {
        return sample("longlink_router_deliveries_total", "outcome", outcome);
    }

    private double commands(String result) {
        return sample("longlink_router_commands_total", "result", result);
    }

    private double fanOuts(String result) {
        return sample("longlink_router_fanouts_total", "result", result);
    }

    private double sample(String name, String label, String value) {
        Double v = registry.getSampleValue(name, new String[] {label}, new String[] {value});
        return v == null ? 0 : v;
    }
}
