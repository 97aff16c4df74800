package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.TagFilter;
import io.longlink.router.Commands;
import io.longlink.router.batch.FanOutOutcome.State;
import io.prometheus.client.CollectorRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FanOutsTest {
    private final FakeStore store = new FakeStore();
    private final FakeLinks links = new FakeLinks();
    private final FakeLinks.Link connA = links.add("conn-a");
    private final FakeLinks.Link connB = links.add("conn-b");
    private final CollectorRegistry registry = new CollectorRegistry();
    private final FanOuts fanOuts = new FanOuts(links, store, new RouterMetrics(registry), 5_000);

    @Test
    void send_whenTagsAndBroadcast_thenOneCallPerConnNodeEachAndNoneForOtherMessages() {
        TagFilter filter = TagFilter.newBuilder().addAnyOf("vip").build();
        List<Message> messages = Rounds.messages(false, Commands.toTags(APP, 600, filter, 0),
                Commands.broadcast(APP, 0), Commands.toDevices(APP, 600, "d1"));

        List<FanOuts.Call> calls = fanOuts.send(Rounds.admitted(messages, List.of()));

        assertThat(calls).extracting(FanOuts.Call::nodeId).containsExactly("conn-a", "conn-b", "conn-a", "conn-b");
        assertThat(connA.fanOuts.get(0).getFilter()).isEqualTo(filter);
        assertThat(connA.fanOuts.get(0).getBroadcast()).isFalse();
        assertThat(connA.fanOuts.get(1).getBroadcast()).isTrue();
        assertThat(connA.fanOutDeadlines).containsExactly(5_000L, 5_000L);
        assertThat(FanOuts.awaited(calls)).hasSize(4);
    }

    @Test
    void send_whenRevoked_thenNoCall() {
        List<Message> messages = Rounds.messages(false, Commands.broadcast(APP, 600));

        fanOuts.send(Rounds.judged(messages, Verdict.REVOKED));

        assertThat(connA.fanOuts).isEmpty();
    }

    @Test
    void outcomes_whenAnsweredFailedOrSpread_thenEachSaysWhichAndOnlySettledOnesAreCounted() {
        connB.fanOutAnswer = r -> CompletableFuture.failedFuture(new IllegalStateException("refused"));
        PushCommand now = Commands.broadcast(APP, 0);
        PushCommand spread = Commands.toTags(APP, 0, TagFilter.newBuilder().addAnyOf("all").build(), 2_000);
        List<FanOuts.Call> calls = fanOuts.send(Rounds.admitted(Rounds.messages(false, now, spread), List.of()));

        List<FanOutOutcome> outcomes = fanOuts.outcomes(calls);

        assertThat(outcomes).extracting(FanOutOutcome::nodeId, FanOutOutcome::state).containsExactly(
                tuple("conn-a", State.OK),
                tuple("conn-b", State.FAILED),
                tuple("conn-a", State.SPREAD),
                tuple("conn-b", State.SPREAD));
        assertThat(outcomes.get(0).response().getWritten()).isEqualTo(2);
        assertThat(outcomes.get(1).cause()).isEqualTo("refused");
        assertThat(FanOuts.awaited(calls)).hasSize(2);
        assertThat(connA.fanOutDeadlines).containsExactly(5_000L, 7_000L);
        // the spread ones were answered at once here: ok on conn-a, failed on conn-b, each counted when it came
        assertThat(Rounds.sample(registry, "longlink_router_fanouts_total", "result", "ok")).isEqualTo(2.0);
        assertThat(Rounds.sample(registry, "longlink_router_fanouts_total", "result", "failed")).isEqualTo(2.0);
    }

    @Test
    void send_whenSpreadAndAnsweredAfterTheRound_thenItsCountsGoStraightToTheStatus() {
        CompletableFuture<FanOutResponse> answer = new CompletableFuture<>();
        connA.fanOutAnswer = r -> answer;
        links.link("conn-b").fanOutAnswer = r -> new CompletableFuture<>();
        PushCommand spread = Commands.toTags(APP, 600, TagFilter.newBuilder().addAnyOf("all").build(), 2_000);
        fanOuts.outcomes(fanOuts.send(Rounds.admitted(Rounds.messages(false, spread), List.of())));
        assertThat(store.roundTrips).isEmpty();

        answer.complete(FanOutResponse.newBuilder().setMatched(5).setWritten(0).build());

        assertThat(store.roundTrips).containsExactly(List.of("count"));
        assertThat(store.stat(spread.getPush().getMessageId())).isEqualTo(Map.of("targeted", 5L));
    }
}
