package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.longlink.proto.internal.Outcome;
import io.longlink.router.Commands;
import io.longlink.router.batch.FanOutOutcome.State;
import io.prometheus.client.CollectorRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DeliveryRoundTest {
    private final FakeLinks links = new FakeLinks();
    private final FakeLinks.Link connA = links.add("conn-a");
    private final BatchRouter.Limits limits = Limits.of(10_000, 250);
    private final DeliveryRound round = new DeliveryRound(links, new DeliveryBatches(links, limits),
            new FanOuts(links, new RouterMetrics(new CollectorRegistry()), limits.fanOutTimeoutMs(), 0));

    @Test
    void deliver_whenAnswersDiffer_thenAwaitedCopiesNotAckedAreMissesAndTheRestSettled() {
        connA.outcome = d -> switch (d.getConnectionId()) {
            case "c1", "c5" -> Outcome.ACKED;
            case "c2" -> Outcome.WRITTEN;
            case "c3" -> Outcome.NOT_HERE;
            default -> Outcome.REJECTED;
        };
        List<Message> messages = Rounds.messages(true, Commands.toDevices(APP, 600, "d1", "d2", "d3", "d4"),
                Commands.toDevices(APP, 0, "d5", "d6", "d7"));
        Message awaited = messages.get(0);
        Message online = messages.get(1);
        List<Copy> copies = List.of(Rounds.copy(awaited, "d1", "conn-a|c1"), Rounds.copy(awaited, "d2", "conn-a|c2"),
                Rounds.copy(awaited, "d3", "conn-a|c3"), Rounds.copy(awaited, "d4", null),
                Rounds.copy(online, "d5", "conn-a|c5"), Rounds.copy(online, "d6", "conn-a|c6"),
                Rounds.copy(online, "d7", "conn-gone|c7"));

        Delivered delivered = round.deliver(Rounds.admitted(messages, copies));

        assertThat(delivered.settled()).extracting(r -> r.copy().deviceId(), CopyResult::outcome).containsExactly(
                tuple("d1", CopyOutcome.ACKED), tuple("d2", CopyOutcome.WRITTEN),
                tuple("d5", CopyOutcome.WRITTEN), tuple("d6", CopyOutcome.REJECTED), tuple("d7", CopyOutcome.OFFLINE));
        assertThat(delivered.misses()).extracting(r -> r.copy().deviceId(), CopyResult::outcome).containsExactly(
                tuple("d2", CopyOutcome.WRITTEN), tuple("d3", CopyOutcome.NOT_HERE), tuple("d4", CopyOutcome.OFFLINE));
        assertThat(connA.batches).singleElement().satisfies(b -> assertThat(b.ackWaitMs()).isEqualTo(250));
    }

    @Test
    void deliver_whenTheBatchFails_thenItsCopiesFailedAndAwaitedOnesMisses() {
        connA.down = true;
        List<Message> messages = Rounds.messages(true, Commands.toDevices(APP, 600, "d1"),
                Commands.toDevices(APP, 0, "d2"));

        Delivered delivered = round.deliver(Rounds.admitted(messages, List.of(
                Rounds.copy(messages.get(0), "d1", "conn-a|c1"), Rounds.copy(messages.get(1), "d2", "conn-a|c2"))));

        assertThat(delivered.misses()).extracting(r -> r.copy().deviceId(), CopyResult::outcome)
                .containsExactly(tuple("d1", CopyOutcome.FAILED));
        assertThat(delivered.settled()).extracting(r -> r.copy().deviceId(), CopyResult::outcome)
                .containsExactly(tuple("d2", CopyOutcome.FAILED));
    }

    @Test
    void deliver_whenAFanOutFails_thenTheRoundReturnsItsOutcome() {
        links.add("conn-b").fanOutAnswer = r -> CompletableFuture.failedFuture(new IllegalStateException("refused"));
        List<Message> messages = Rounds.messages(false, Commands.broadcast(APP, 600));

        Delivered delivered = round.deliver(Rounds.admitted(messages, List.of()));

        assertThat(delivered.fanOuts()).extracting(FanOutOutcome::nodeId, FanOutOutcome::state)
                .containsExactly(tuple("conn-a", State.OK), tuple("conn-b", State.FAILED));
        assertThat(delivered.settled()).isEmpty();
    }
}
