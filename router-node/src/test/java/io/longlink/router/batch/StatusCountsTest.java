package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.internal.FanOutResponse;
import io.longlink.router.Commands;
import io.longlink.router.batch.FanOutOutcome.State;
import io.longlink.router.receipt.Receipts;
import io.prometheus.client.CollectorRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusCountsTest {
    private static final long NOW = 1_000;
    private final FakeStore store = new FakeStore();
    private final CollectorRegistry registry = new CollectorRegistry();
    private final RecordingReceipts receipts = new RecordingReceipts();
    private final StatusCounts statusCounts = new StatusCounts(store, new RouterMetrics(registry), receipts);

    private static Tally tally(List<Message> messages) {
        return new Tally(messages, new RouterMetrics(new CollectorRegistry()), Receipts.NONE, NOW);
    }

    private static CopyResult result(Message m, String device, CopyOutcome outcome) {
        return new CopyResult(Rounds.copy(m, device, null), outcome);
    }

    /** The tally of a round in which the copies of the first message to d1 and d2 ended as given. */
    private static Tally copies(List<Message> messages, CopyOutcome d1, CopyOutcome d2) {
        Message m = messages.get(0);
        Tally tally = tally(messages);
        tally.countCopies(List.of(result(m, "d1", d1), result(m, "d2", d2)));
        return tally;
    }

    /** The tally of a round in which conn-a answered the first message's FanOut: 3 matched, 2 written. */
    private static Tally answered(List<Message> messages) {
        Tally tally = tally(messages);
        tally.countFanOuts(List.of(new FanOutOutcome(messages.get(0), "conn-a", State.OK,
                FanOutResponse.newBuilder().setMatched(3).setWritten(2).build(), null)));
        return tally;
    }

    @Test
    void write_whenFirstRoutingWithNoCopyInAnInbox_thenOneHsetThatHoldsTheAcks() {
        List<Message> messages = Rounds.messages(true, Commands.toDevices(APP, 600, "d1", "d2"));
        Message m = messages.get(0);
        Tally tally = copies(messages, CopyOutcome.ACKED, CopyOutcome.ACKED);

        statusCounts.write(Rounds.admitted(messages, List.of()), tally, List.of(), NOW);

        assertThat(store.roundTrips).containsExactly(List.of("firstRouted"));
        assertThat(store.stat(m.id)).isEqualTo(Map.of("routed_ms", NOW, "targeted", 2L, "online", 2L, "acked", 2L));
    }

    @Test
    void write_whenACopyWentToAnInbox_thenAcksIncrementedBeforeAnHsetWithoutThem() {
        List<Message> messages = Rounds.messages(true, Commands.toDevices(APP, 600, "d1", "d2"));
        Message m = messages.get(0);
        Tally tally = copies(messages, CopyOutcome.ACKED, CopyOutcome.OFFLINE);
        tally.noteStoredMisses(List.of(result(m, "d2", CopyOutcome.OFFLINE)));
        store.stats.put(m.id, new HashMap<>(Map.of("acked", 1L)));

        statusCounts.write(Rounds.admitted(messages, List.of()), tally, List.of(), NOW);

        assertThat(store.roundTrips).containsExactly(List.of("count", "firstRouted"));
        assertThat(store.stat(m.id)).isEqualTo(Map.of("routed_ms", NOW, "targeted", 2L, "online", 1L, "stored", 1L,
                "acked", 2L));
    }

    @Test
    void write_whenRoutedAgain_thenFirstRoutingFieldsOnlyIfMissingAndNothingAddedToTheCounts() {
        List<Message> messages = Rounds.messages(true, Commands.toDevices(APP, 600, "d1", "d2"));
        Message m = messages.get(0);
        Tally tally = copies(messages, CopyOutcome.ACKED, CopyOutcome.OFFLINE);
        store.stats.put(m.id, new HashMap<>(Map.of("routed_ms", 5L, "targeted", 2L, "online", 1L)));

        statusCounts.write(Rounds.judged(messages, Verdict.ROUTED_AGAIN), tally, List.of(), NOW);

        assertThat(store.roundTrips).containsExactly(List.of("routedAgain"));
        assertThat(store.stat(m.id)).isEqualTo(Map.of("routed_ms", 5L, "targeted", 2L, "online", 1L));
    }

    @Test
    void write_whenFanOutRoutedAgain_thenNothingAddedToItsCounts() {
        List<Message> messages = Rounds.messages(false, Commands.broadcast(APP, 600));
        Message m = messages.get(0);
        Tally tally = answered(messages);
        store.stats.put(m.id, new HashMap<>(Map.of("routed_ms", 5L, "targeted", 3L, "online", 2L)));

        statusCounts.write(Rounds.judged(messages, Verdict.ROUTED_AGAIN), tally, List.of(), NOW);

        assertThat(store.stat(m.id)).isEqualTo(Map.of("routed_ms", 5L, "targeted", 3L, "online", 2L));
    }

    @Test
    void write_whenRoutedAgainAndTheFirstStatusNeverWritten_thenThisRoutingsCountsAreTheMessages() {
        List<Message> messages = Rounds.messages(false, Commands.toDevices(APP, 600, "d1", "d2"));
        Message m = messages.get(0);
        Tally tally = copies(messages, CopyOutcome.WRITTEN, CopyOutcome.OFFLINE);

        statusCounts.write(Rounds.judged(messages, Verdict.ROUTED_AGAIN), tally, List.of(), NOW);

        assertThat(store.stat(m.id)).isEqualTo(Map.of("routed_ms", NOW, "targeted", 2L, "online", 1L,
                "stored", 1L));
    }

    @Test
    void write_whenFanOut_thenRoutedAndItsAnswersIncremented() {
        List<Message> messages = Rounds.messages(false, Commands.broadcast(APP, 600));
        Message m = messages.get(0);
        Tally tally = answered(messages);

        statusCounts.write(Rounds.admitted(messages, List.of()), tally, List.of(), NOW);

        assertThat(store.roundTrips).containsExactly(List.of("routed", "count", "count"));
        assertThat(store.stat(m.id)).isEqualTo(Map.of("routed_ms", NOW, "online", 2L, "targeted", 3L));
    }

    @Test
    void write_whenRevoked_thenNothing() {
        List<Message> messages = Rounds.messages(false, Commands.toDevices(APP, 600, "d1"));

        statusCounts.write(Rounds.judged(messages, Verdict.REVOKED), tally(messages), List.of(), NOW);

        assertThat(store.stats).isEmpty();
    }

    @Test
    void write_whenRedisFails_thenReturnsWithoutWaitingOrThrowing() {
        store.failing.add("firstRouted");
        List<Message> messages = Rounds.messages(false, Commands.toDevices(APP, 600, "d1"));

        statusCounts.write(Rounds.admitted(messages, List.of()), tally(messages), List.of(), NOW);

        assertThat(store.roundTrips).containsExactly(List.of("firstRouted"));
    }
}
