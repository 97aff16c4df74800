package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.grpc.Status;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.TagFilter;
import io.longlink.router.Commands;
import io.longlink.router.batch.FanOutOutcome.State;
import io.prometheus.client.CollectorRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FanOutsTest {
    private final FakeLinks links = new FakeLinks();
    private final FakeLinks.Link connA = links.add("conn-a");
    private final FakeLinks.Link connB = links.add("conn-b");
    private final CollectorRegistry registry = new CollectorRegistry();

    private FanOuts fanOuts(long retryMs) {
        return new FanOuts(links, new RouterMetrics(registry), 5_000, retryMs);
    }

    private static CompletableFuture<FanOutResponse> refused(Status status) {
        return CompletableFuture.failedFuture(status.withDescription("refused").asRuntimeException());
    }

    private double fanOuts(String result) {
        return Rounds.sample(registry, "longlink_router_fanouts_total", "result", result);
    }

    @Test
    void send_whenTagsAndBroadcast_thenOneCallPerConnNodeEachAllAwaitedAndNoneForOtherMessages() {
        TagFilter filter = TagFilter.newBuilder().addAnyOf("vip").build();
        List<Message> messages = Rounds.messages(false, Commands.toTags(APP, 600, filter, 0),
                Commands.broadcast(APP, 0), Commands.toDevices(APP, 600, "d1"),
                Commands.toTags(APP, 0, filter, 2_000));

        List<FanOuts.Call> calls = fanOuts(0).send(Rounds.admitted(messages, List.of()));

        assertThat(calls).extracting(FanOuts.Call::nodeId).containsExactly("conn-a", "conn-b", "conn-a", "conn-b",
                "conn-a", "conn-b");
        assertThat(connA.fanOuts.get(0).getFilter()).isEqualTo(filter);
        assertThat(connA.fanOuts.get(0).getBroadcast()).isFalse();
        assertThat(connA.fanOuts.get(1).getBroadcast()).isTrue();
        assertThat(connA.fanOutDeadlines).as("a spread one: its deadline plus the spread")
                .containsExactly(5_000L, 5_000L, 7_000L);
        assertThat(FanOuts.awaited(calls)).hasSize(6);
        assertThat(FanOuts.maxSpreadMs(calls)).isEqualTo(2_000);
    }

    @Test
    void send_whenRevoked_thenNoCall() {
        List<Message> messages = Rounds.messages(false, Commands.broadcast(APP, 600));

        fanOuts(0).send(Rounds.judged(messages, Verdict.REVOKED));

        assertThat(connA.fanOuts).isEmpty();
    }

    @Test
    void send_whenRefusedThenAnswered_thenTriedAgainAfterABackoffAndOk() throws Exception {
        AtomicInteger refusals = new AtomicInteger(2);
        connB.fanOutAnswer = r -> refusals.getAndDecrement() > 0 ? refused(Status.RESOURCE_EXHAUSTED)
                : CompletableFuture.completedFuture(FanOutResponse.newBuilder().setMatched(1).build());
        FanOuts fanOuts = fanOuts(30_000);

        List<FanOuts.Call> calls = fanOuts.send(Rounds.admitted(Rounds.messages(false, Commands.broadcast(APP, 0)),
                List.of()));
        calls.get(1).result().get(10, TimeUnit.SECONDS);

        assertThat(connB.fanOuts).hasSize(3);
        assertThat(fanOuts.outcomes(calls)).extracting(FanOutOutcome::nodeId, FanOutOutcome::state)
                .containsExactly(tuple("conn-a", State.OK), tuple("conn-b", State.OK));
        assertThat(fanOuts("retried")).isEqualTo(2.0);
        assertThat(fanOuts("ok")).isEqualTo(2.0);
    }

    @Test
    void outcomes_whenStillFailingAfterTheBound_thenAFanOutWithATtlHoldsItsBatchAndAnOnlineOnlyOneNot() {
        connB.fanOutAnswer = r -> refused(Status.UNAVAILABLE);
        PushCommand stored = Commands.broadcast(APP, 600);
        PushCommand onlineOnly = Commands.broadcast(APP, 0);
        FanOuts fanOuts = fanOuts(0);

        List<FanOutOutcome> outcomes = fanOuts.outcomes(fanOuts.send(Rounds.admitted(
                Rounds.messages(false, stored, onlineOnly), List.of())));

        assertThat(outcomes).extracting(FanOutOutcome::nodeId, FanOutOutcome::state, FanOutOutcome::holdsBatch)
                .containsExactly(tuple("conn-a", State.OK, false), tuple("conn-b", State.FAILED, true),
                        tuple("conn-a", State.OK, false), tuple("conn-b", State.GIVEN_UP, false));
        assertThat(outcomes.get(1).cause()).contains("refused");
        assertThat(connB.fanOuts).hasSize(2);
        assertThat(fanOuts("failed")).isEqualTo(2.0);
    }

    @Test
    void send_whenAnOnlineOnlyFanOutFailsOtherwiseThanRefused_thenNotTriedAgain() {
        connB.fanOutAnswer = r -> refused(Status.DEADLINE_EXCEEDED);
        FanOuts fanOuts = fanOuts(30_000);

        List<FanOutOutcome> outcomes = fanOuts.outcomes(fanOuts.send(Rounds.admitted(
                Rounds.messages(false, Commands.broadcast(APP, 0)), List.of())));

        assertThat(connB.fanOuts).hasSize(1);
        assertThat(outcomes.get(1).state()).isEqualTo(State.GIVEN_UP);
    }

    @Test
    void send_whenTheNodeLeftMembershipWhileItsFanOutFailed_thenGivenUp() {
        connB.fanOutAnswer = r -> {
            links.remove("conn-b");
            return refused(Status.UNAVAILABLE);
        };
        FanOuts fanOuts = fanOuts(30_000);

        List<FanOutOutcome> outcomes = fanOuts.outcomes(fanOuts.send(Rounds.admitted(
                Rounds.messages(false, Commands.broadcast(APP, 600)), List.of())));

        assertThat(connB.fanOuts).hasSize(1);
        assertThat(outcomes).extracting(FanOutOutcome::state, FanOutOutcome::holdsBatch)
                .containsExactly(tuple(State.OK, false), tuple(State.GIVEN_UP, false));
        assertThat(fanOuts("given_up")).isEqualTo(1.0);
    }
}
