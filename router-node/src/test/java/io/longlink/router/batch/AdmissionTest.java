package io.longlink.router.batch;

import static io.longlink.router.Commands.id;
import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.Route;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.TagFilter;
import io.longlink.router.Commands;
import io.prometheus.client.CollectorRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private final FakeStore store = new FakeStore();
    private final CollectorRegistry registry = new CollectorRegistry();
    private final Admission admission = new Admission(store, new RouterMetrics(registry), Limits.of(10_000, 250));

    @Test
    void admit_whenMixedRound_thenBodiesRoutesInboxesAndLogInOneRoundTripInThatOrder() throws Exception {
        List<Message> messages = Rounds.messages(false, Commands.toDevices(APP, 600, "d1"),
                Commands.toDevices(APP, 0, "d2"), Commands.collapsing(APP, "d3", "score"),
                Commands.toTags(APP, 600, TagFilter.newBuilder().addAnyOf("vip").build(), 0));

        admission.admit(messages);

        assertThat(store.roundTrips).containsExactly(List.of("storeBody", "revocation", "storeBody", "storeBody",
                "routes", "addToInbox", "addToInbox", "appendBroadcast"));
        assertThat(store.inbox(APP, "d2")).as("online only").isEmpty();
    }

    @Test
    void admit_whenRevokedOrRoutedBefore_thenVerdictsAndCopiesOfAcceptedMessagesOnly() throws Exception {
        store.route(APP, "d2", "conn-a|c-2");
        List<Message> messages = Rounds.messages(false, Commands.toDevices(APP, 600, "d1"),
                Commands.toDevices(APP, 600, "d2"), Commands.toDevices(APP, 600, "d3"));
        store.bodies.put(messages.get(0).id, FakeStore.TOMBSTONE);
        store.bodies.put(messages.get(1).id, messages.get(1).command.getPush().toByteArray());

        Admitted admitted = admission.admit(messages);

        assertThat(admitted.verdicts()).containsExactly(Verdict.REVOKED, Verdict.ROUTED_AGAIN, Verdict.FIRST_ROUTING);
        assertThat(admitted.copies()).containsExactly(new Copy(messages.get(1), "d2", new Route("conn-a", "c-2")),
                new Copy(messages.get(2), "d3", null));
        assertThat(Rounds.sample(registry, "longlink_router_commands_total", "result", "routed")).isEqualTo(2.0);
        assertThat(Rounds.sample(registry, "longlink_router_commands_total", "result", "revoked")).isEqualTo(1.0);
    }

    @Test
    void admit_whenAMessageWithTheSameCollapseKeyIsStored_thenReplacedWhateverTheIdsAndThisOneDelivered()
            throws Exception {
        PushCommand lowerId = Commands.collapsing(APP, "fan", "score");
        PushCommand higherId = Commands.collapsing(APP, "fan", "score");
        admission.admit(Rounds.messages(false, higherId));

        Admitted admitted = admission.admit(Rounds.messages(false, lowerId));

        assertThat(admitted.verdicts()).containsExactly(Verdict.FIRST_ROUTING);
        assertThat(admitted.copies()).hasSize(1);
        assertThat(store.inbox(APP, "fan")).containsExactly(RedisKeys.inboxMember(id(lowerId)));
    }

    @Test
    void admit_whenInboxOrLogFull_thenTheEarliestTrimmedAreReturnedAsDrops() throws Exception {
        Admission small = new Admission(store, new RouterMetrics(new CollectorRegistry()), Limits.bounds(2, 1));
        PushCommand first = Commands.toDevices(APP, 600, "d1");
        PushCommand second = Commands.toDevices(APP, 600, "d1");
        PushCommand bcast = Commands.broadcast(APP, 600);
        small.admit(Rounds.messages(false, first, second, bcast));

        PushCommand third = Commands.toDevices(APP, 600, "d1", "d2");
        PushCommand tags = Commands.toTags(APP, 600, TagFilter.newBuilder().addAnyOf("vip").build(), 0);
        Admitted admitted = small.admit(Rounds.messages(false, third, tags));

        assertThat(admitted.drops()).containsExactly(new Dropped(APP, "d1", id(first)), new Dropped(APP, "", id(bcast)));
        assertThat(admitted.logPosition(admitted.messages().get(1))).isEqualTo(2);
        assertThat(admitted.logPosition(admitted.messages().get(0))).as("no log entry").isZero();
        assertThat(store.inbox(APP, "d1")).containsExactly(RedisKeys.inboxMember(id(second)),
                RedisKeys.inboxMember(id(third)));
    }

    @Test
    void admit_whenAwaited_thenOnlyTheRevocationReadNoBodyAndNoInboxWriteYet() throws Exception {
        PushCommand cmd = Commands.toDevices(APP, 3600, "d1");

        Admitted admitted = admission.admit(Rounds.messages(true, cmd));

        assertThat(store.roundTrips).containsExactly(List.of("revocation", "routes"));
        assertThat(store.bodies).doesNotContainKey(id(cmd));
        assertThat(admitted.copies()).hasSize(1);
    }

    @Test
    void admit_whenRedisFails_thenThrowsAndCountsNoCommand() {
        store.failing.add("storeBody");

        assertThatThrownBy(() -> admission.admit(Rounds.messages(false, Commands.toDevices(APP, 600, "d1"))))
                .hasMessageContaining("Redis down");
        assertThat(Rounds.sample(registry, "longlink_router_commands_total", "result", "routed")).isZero();
    }
}
