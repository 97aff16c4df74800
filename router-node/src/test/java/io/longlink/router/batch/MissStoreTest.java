package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.Outcome;
import io.longlink.router.Commands;
import java.util.List;
import org.junit.jupiter.api.Test;

class MissStoreTest {
    private final FakeStore store = new FakeStore();
    private final FakeLinks links = new FakeLinks();
    private final FakeLinks.Link connA = links.add("conn-a");
    private final BatchRouter.Limits limits = Limits.of(10_000, 250);
    private final MissStore missStore = new MissStore(store, links, new DeliveryBatches(links, limits), limits);
    private final Message message = Rounds.messages(true, Commands.toDevices(APP, 3600, "d1", "d2")).get(0);

    private CopyResult miss(String device, String route, CopyOutcome first) {
        return new CopyResult(Rounds.copy(message, device, route), first);
    }

    @Test
    void store_whenNoMisses_thenNoRoundTrip() throws Exception {
        assertThat(missStore.store(List.of()).settled()).isEmpty();
        assertThat(store.roundTrips).isEmpty();
    }

    @Test
    void store_whenTwoMissesOfOneMessage_thenBodyStoredOnceFirstThenEachStoredAndRoutesReadInOneRoundTrip()
            throws Exception {
        List<CopyResult> settled = missStore.store(List.of(miss("d1", null, CopyOutcome.OFFLINE),
                miss("d2", null, CopyOutcome.OFFLINE))).settled();

        // the body is in Redis before any inbox entry that names it (in a cluster they live on different nodes)
        assertThat(store.roundTrips).containsExactly(List.of("storeBody"), List.of("addToInbox", "addToInbox",
                "routes"));
        assertThat(store.bodies.get(message.id)).isEqualTo(message.command.getPush().toByteArray());
        assertThat(store.bodyTtls).containsEntry(message.id, 3_600_000L);
        assertThat(store.inbox(APP, "d1")).containsExactly(RedisKeys.inboxMember(message.id));
        assertThat(store.inbox(APP, "d2")).containsExactly(RedisKeys.inboxMember(message.id));
        assertThat(settled).extracting(r -> r.copy().deviceId(), CopyResult::outcome)
                .containsExactly(tuple("d1", CopyOutcome.OFFLINE), tuple("d2", CopyOutcome.OFFLINE));
        assertThat(connA.batches).isEmpty();
    }

    @Test
    void store_whenRevokedSinceTheAdmission_thenTheTombstoneStaysAndTheEntryIsWritten() throws Exception {
        store.bodies.put(message.id, new byte[0]);

        missStore.store(List.of(miss("d1", null, CopyOutcome.OFFLINE)));

        // the conn-node drops an entry whose body is the tombstone, counting it revoked
        assertThat(store.bodies.get(message.id)).isEmpty();
        assertThat(store.inbox(APP, "d1")).containsExactly(RedisKeys.inboxMember(message.id));
    }

    @Test
    void store_whenDeviceConnectedMeanwhile_thenSentAgainToItsRouteAndWritten() throws Exception {
        store.route(APP, "d1", "conn-a|c-9");

        List<CopyResult> settled = missStore.store(List.of(miss("d1", null, CopyOutcome.OFFLINE))).settled();

        assertThat(connA.deliveries()).extracting(Delivery::getConnectionId, Delivery::getAwaitAck)
                .containsExactly(tuple("c-9", false));
        assertThat(connA.batches.get(0).ackWaitMs()).isZero();
        assertThat(settled).extracting(CopyResult::outcome).containsExactly(CopyOutcome.WRITTEN);
    }

    @Test
    void store_whenRejectedOnTheSameRoute_thenSentAgainAndStillRejectedCountsAsTheFirstAttempt() throws Exception {
        store.route(APP, "d1", "conn-a|c-1");
        connA.outcome = d -> Outcome.REJECTED;

        List<CopyResult> settled = missStore.store(List.of(miss("d1", "conn-a|c-1", CopyOutcome.REJECTED))).settled();

        assertThat(connA.deliveries()).hasSize(1);
        assertThat(settled).extracting(CopyResult::outcome).containsExactly(CopyOutcome.REJECTED);
    }

    @Test
    void store_whenNotHereOnAnUnchangedRoute_thenNotSentAgain() throws Exception {
        store.route(APP, "d1", "conn-a|c-1");

        List<CopyResult> settled = missStore.store(List.of(miss("d1", "conn-a|c-1", CopyOutcome.NOT_HERE))).settled();

        assertThat(connA.batches).isEmpty();
        assertThat(settled).extracting(CopyResult::outcome).containsExactly(CopyOutcome.NOT_HERE);
    }

    @Test
    void store_whenWrittenButNotAcked_thenSentAgainOnlyAfterAReconnectAndNeverCountedTwice() throws Exception {
        store.route(APP, "d1", "conn-a|c-1");
        store.route(APP, "d2", "conn-a|c-new");

        List<CopyResult> settled = missStore.store(List.of(miss("d1", "conn-a|c-1", CopyOutcome.WRITTEN),
                miss("d2", "conn-a|c-old", CopyOutcome.WRITTEN))).settled();

        assertThat(connA.deliveries()).extracting(Delivery::getConnectionId).containsExactly("c-new");
        assertThat(settled).isEmpty();
    }

    @Test
    void store_whenRouteNamesANodeWithoutLink_thenNotSentAgain() throws Exception {
        store.route(APP, "d1", "conn-gone|c-1");

        List<CopyResult> settled = missStore.store(List.of(miss("d1", null, CopyOutcome.OFFLINE))).settled();

        assertThat(connA.batches).isEmpty();
        assertThat(settled).extracting(CopyResult::outcome).containsExactly(CopyOutcome.OFFLINE);
    }

    @Test
    void store_whenRedisFails_thenThrowsBeforeSendingAgain() {
        store.route(APP, "d1", "conn-a|c-9");
        store.failing.add("addToInbox");

        assertThatThrownBy(() -> missStore.store(List.of(miss("d1", null, CopyOutcome.OFFLINE))))
                .hasMessageContaining("Redis down");
        assertThat(connA.batches).isEmpty();
    }
}
