package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.router.Commands;
import io.longlink.router.batch.FanOutOutcome.State;
import io.prometheus.client.CollectorRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class TallyTest {
    private static final long NOW = 42;
    private final CollectorRegistry registry = new CollectorRegistry();
    private final RecordingReceipts receipts = new RecordingReceipts();

    private Tally tally(List<Message> messages) {
        return new Tally(messages, new RouterMetrics(registry), receipts, NOW);
    }

    private static CopyResult result(Message m, String device, CopyOutcome outcome) {
        return new CopyResult(Rounds.copy(m, device, null), outcome);
    }

    @Test
    void copies_whenReachedOrNot_thenCountedPerMessageWithTheirLabelAndAReceiptPerStoredCopy() {
        List<Message> messages = Rounds.messages(true, Commands.toDevices(APP, 600, "d1", "d2", "d3", "d4"),
                Commands.toDevices(APP, 0, "d5"));
        Message stored = messages.get(0);
        Message onlineOnly = messages.get(1);
        Tally tally = tally(messages);

        tally.countCopies(List.of(result(stored, "d1", CopyOutcome.ACKED), result(stored, "d2", CopyOutcome.WRITTEN),
                result(stored, "d3", CopyOutcome.NOT_HERE), result(stored, "d4", CopyOutcome.OFFLINE),
                result(onlineOnly, "d5", CopyOutcome.OFFLINE)));

        assertThat(tally.online(stored)).isEqualTo(2);
        assertThat(tally.acked(stored)).isEqualTo(1);
        assertThat(tally.stored(stored)).isEqualTo(2);
        assertThat(tally.stored(onlineOnly)).as("online only: dropped, not stored").isZero();
        assertThat(receipts.stored).containsExactly("d3@" + NOW, "d4@" + NOW);
        assertThat(Rounds.sample(registry, "longlink_router_deliveries_total", "outcome", "offline")).isEqualTo(2.0);
        assertThat(Rounds.sample(registry, "longlink_router_deliveries_total", "outcome", "acked")).isEqualTo(1.0);
    }

    @Test
    void fanOuts_whenAnswered_thenMatchedAndWrittenCountedButNotFailedOrGivenUpOnes() {
        PushCommand cmd = Commands.broadcast(APP, 0);
        Message m = Rounds.messages(false, cmd).get(0);
        Tally tally = tally(List.of(m));
        FanOutResponse answer = FanOutResponse.newBuilder().setMatched(3).setWritten(2).build();

        tally.countFanOuts(List.of(new FanOutOutcome(m, "conn-a", State.OK, answer, null),
                new FanOutOutcome(m, "conn-b", State.OK, answer, null),
                new FanOutOutcome(m, "conn-c", State.FAILED, null, "refused"),
                new FanOutOutcome(m, "conn-d", State.GIVEN_UP, null, "left")));

        assertThat(tally.matched(m)).isEqualTo(6);
        assertThat(tally.online(m)).isEqualTo(4);
    }

    @Test
    void inboxWritten_whenStoredBeforeDeliveryOrAMissWasStored_thenTrue() {
        List<Message> all = List.of(
                new Message(0, Commands.toDevices(APP, 600, "d1"), List.of("d1"), false), // stored before delivery
                new Message(1, Commands.toDevices(APP, 0, "d2"), List.of("d2"), false), // online only
                new Message(2, Commands.broadcast(APP, 600), List.of(), false), // the broadcast log, no inbox
                new Message(3, Commands.toDevices(APP, 600, "d3"), List.of("d3"), true), // awaited, missed
                new Message(4, Commands.toDevices(APP, 600, "d4"), List.of("d4"), true)); // awaited, acked
        Tally tally = tally(all);

        tally.noteStoredMisses(List.of(result(all.get(3), "d3", CopyOutcome.OFFLINE)));

        assertThat(all).extracting(tally::inboxWritten).containsExactly(true, false, false, true, false);
    }
}
