package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.Outcome;
import io.longlink.router.Commands;
import io.longlink.router.deliver.DeliveryLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DeliveryBatchesTest {
    private final FakeLinks links = new FakeLinks();
    private final FakeLinks.Link connA = links.add("conn-a");
    private final FakeLinks.Link connB = links.add("conn-b");

    private DeliveryBatches batches(int deliverBatchMax, long deliverTimeoutMs) {
        return new DeliveryBatches(links, new BatchRouter.Limits(10_000, 100, 1_000, deliverBatchMax,
                deliverTimeoutMs, 0, 0, 4, 5_000, 250));
    }

    @Test
    void send_whenMoreCopiesThanABatchTakes_thenBatchesOfAtMostThatManyPerConnNode() {
        Message m = Rounds.messages(true, Commands.toDevices(APP, 600, "d1", "d2", "d3", "d4")).get(0);
        Map<DeliveryLink, List<Copy>> byLink = new LinkedHashMap<>();
        byLink.put(connA, List.of(Rounds.copy(m, "d1", "conn-a|c1"), Rounds.copy(m, "d2", "conn-a|c2"),
                Rounds.copy(m, "d3", "conn-a|c3")));
        byLink.put(connB, List.of(Rounds.copy(m, "d4", "conn-b|c4")));

        List<DeliveryBatches.Sent<Copy>> sent = batches(2, 3_000).send(byLink, Function.identity(), true);

        assertThat(sent).hasSize(3);
        assertThat(connA.batches).extracting(b -> b.deliveries().stream().map(Delivery::getConnectionId).toList())
                .containsExactly(List.of("c1", "c2"), List.of("c3"));
        assertThat(connA.batches).extracting(FakeLinks.Batch::ackWaitMs).containsExactly(250, 250);
        assertThat(connB.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.getAppKey()).isEqualTo(APP);
            assertThat(d.getDeviceId()).isEqualTo("d4");
            assertThat(d.getPush()).isEqualTo(m.command.getPush());
            assertThat(d.getAwaitAck()).isTrue();
        });
    }

    @Test
    void send_whenNoCopyAwaitsItsAck_thenTheBatchAsksForNoAckWait() {
        Message awaited = Rounds.messages(true, Commands.toDevices(APP, 600, "d1")).get(0);
        Message online = Rounds.messages(true, Commands.toDevices(APP, 0, "d2")).get(0);

        batches(10, 3_000).send(Map.of(connA, List.of(Rounds.copy(awaited, "d1", "conn-a|c1"))),
                Function.identity(), false);
        batches(10, 3_000).send(Map.of(connB, List.of(Rounds.copy(online, "d2", "conn-b|c2"))),
                Function.identity(), true);

        assertThat(connA.batches.get(0).ackWaitMs()).isZero();
        assertThat(connA.deliveries().get(0).getAwaitAck()).isFalse();
        assertThat(connB.batches.get(0).ackWaitMs()).isZero();
    }

    @Test
    void outcomes_whenOneBatchFailed_thenNullForItsCopiesAndTheAnswerForTheOthers() {
        Message m = Rounds.messages(false, Commands.toDevices(APP, 600, "d1", "d2")).get(0);
        connA.outcome = d -> Outcome.NOT_HERE;
        connB.down = true;
        Map<DeliveryLink, List<Copy>> byLink = new LinkedHashMap<>();
        byLink.put(connA, List.of(Rounds.copy(m, "d1", "conn-a|c1")));
        byLink.put(connB, List.of(Rounds.copy(m, "d2", "conn-b|c2")));
        DeliveryBatches batches = batches(10, 3_000);
        List<DeliveryBatches.Sent<Copy>> sent = batches.send(byLink, Function.identity(), true);
        batches.awaitSettled(sent, List.of(), 0);

        List<String> seen = new ArrayList<>();
        DeliveryBatches.outcomes(sent, (c, o) -> seen.add(c.deviceId() + "=" + o));

        assertThat(seen).containsExactly("d1=NOT_HERE", "d2=null");
    }

    @Test
    void awaitSettled_whenABatchIsNeverAnswered_thenGivesUpAtItsBoundAndTheBatchCountsAsNotAnswered() {
        Message m = Rounds.messages(false, Commands.toDevices(APP, 600, "d1")).get(0);
        DeliveryBatches.Sent<Copy> stuck = new DeliveryBatches.Sent<>(List.of(Rounds.copy(m, "d1", "conn-a|c1")),
                new CompletableFuture<>());
        long start = System.nanoTime();

        batches(10, 0).awaitSettled(List.of(stuck), List.of(), 0);

        // bound: deliver timeout (0) + ACK wait (250) + 1 s
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(1_250_000_000L);
        assertThat(stuck.resultOrNull()).isNull();
    }
}
