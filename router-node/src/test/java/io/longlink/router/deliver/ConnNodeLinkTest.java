package io.longlink.router.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.longlink.common.grpc.InternalTls;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.Outcome;
import io.longlink.router.FakeConnNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One router-to-conn-node link against a real gRPC server on a loopback port. */
class ConnNodeLinkTest {
    private FakeConnNode peer;
    private ConnNodeLink link;

    @BeforeEach
    void setUp() throws Exception {
        peer = FakeConnNode.unlisted("conn-x");
    }

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
        peer.close();
    }

    private static List<Delivery> deliveries(int n) {
        Delivery d = Delivery.newBuilder().setAppKey("a").setDeviceId("d").setConnectionId("c")
                .setPush(Push.newBuilder().setMessageId(1).setPayload(ByteString.copyFromUtf8("p"))).build();
        return java.util.Collections.nCopies(n, d);
    }

    @Test
    void deliver_whenAnswered_thenOutcomesInOrderOverOneStream() throws Exception {
        peer.outcome = d -> Outcome.NOT_HERE;
        link = new ConnNodeLink("conn-x", peer.address(), 4, 2, 5_000, 50);

        DeliveryResult first = link.deliver(deliveries(3), 0).get(10, TimeUnit.SECONDS);
        DeliveryResult second = link.deliver(deliveries(1), 0).get(10, TimeUnit.SECONDS);

        assertThat(first.getOutcomesList()).containsExactly(Outcome.NOT_HERE, Outcome.NOT_HERE, Outcome.NOT_HERE);
        assertThat(second.getBatchId()).isEqualTo(first.getBatchId() + 1);
        assertThat(peer.batches).hasSize(2);
    }

    @Test
    void deliver_whenMaxInflightReached_thenFailsAtOnceWithoutSending() throws Exception {
        peer.hold = new CountDownLatch(1);
        link = new ConnNodeLink("conn-x", peer.address(), 2, 2, 30_000, 50);
        CompletableFuture<DeliveryResult> a = link.deliver(deliveries(1), 0);
        CompletableFuture<DeliveryResult> b = link.deliver(deliveries(1), 0);

        CompletableFuture<DeliveryResult> c = link.deliver(deliveries(1), 0);

        assertThatThrownBy(() -> c.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(LinkUnavailableException.class).hasMessageContaining("2 batches in flight");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.batches.size() == 2);
        peer.hold.countDown();
        assertThat(a.get(10, TimeUnit.SECONDS).getOutcomesCount()).isEqualTo(1);
        assertThat(b.get(10, TimeUnit.SECONDS).getOutcomesCount()).isEqualTo(1);
    }

    @Test
    void deliver_whenNoResultInTime_thenTimesOutResetsStreamAndReopensLater() throws Exception {
        CountDownLatch stuckPeer = new CountDownLatch(1);
        peer.hold = stuckPeer;
        link = new ConnNodeLink("conn-x", peer.address(), 4, 2, 300, 200);

        CompletableFuture<DeliveryResult> stuck = link.deliver(deliveries(1), 0);

        assertThatThrownBy(() -> stuck.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThatThrownBy(() -> link.deliver(deliveries(1), 0).get(1, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LinkUnavailableException.class).hasMessageContaining("failed recently");
        peer.hold = null;
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> link.deliver(deliveries(2), 0).get(5, TimeUnit.SECONDS).getOutcomesCount() == 2);
        stuckPeer.countDown();
    }

    private static Delivery to(String device) {
        return deliveries(1).get(0).toBuilder().setDeviceId(device).build();
    }

    @Test
    void deliver_whenDeviceMarkedDirty_thenItsDeliveriesCarryRedrainUntilOneIsAnsweredWritten() throws Exception {
        peer.outcome = d -> d.getPush().getMessageId() == 2 ? Outcome.REJECTED : Outcome.WRITTEN;
        // no background re-drain within the test
        link = new ConnNodeLink("conn-x", peer.address(), 4, 2, 5_000, 60_000);
        link.markDirty("a", "d", "c");
        Delivery rejected = to("d").toBuilder().setPush(to("d").getPush().toBuilder().setMessageId(2)).build();

        link.deliver(List.of(to("other"), rejected), 0).get(10, TimeUnit.SECONDS);
        link.deliver(List.of(to("d")), 0).get(10, TimeUnit.SECONDS);
        link.deliver(List.of(to("d")), 0).get(10, TimeUnit.SECONDS);

        assertThat(peer.deliveries).extracting(Delivery::getDeviceId, Delivery::getRedrain).containsExactly(
                tuple("other", false), tuple("d", true), tuple("d", true), tuple("d", false));
        assertThat(link.dirtyDevices()).isZero();
    }

    @Test
    void markDirty_whenNoDeliveryFollows_thenRedrainOnlyDeliveriesUntilOneIsAnswered() throws Exception {
        peer.unansweredBatches.set(1);
        peer.outcome = d -> d.getDeviceId().equals("moved") ? Outcome.STALE_ROUTE : Outcome.WRITTEN;
        // long enough that the answered batch never times out on a loaded machine: one retry exactly
        link = new ConnNodeLink("conn-x", peer.address(), 4, 2, 1_500, 50);

        link.markDirty("a", "d", "c");
        link.markDirty("a", "moved", "c-old");

        await().atMost(Duration.ofSeconds(10)).until(() -> link.dirtyDevices() == 0);
        assertThat(peer.batches).hasSize(2);
        assertThat(peer.batches.get(1).getDeliveriesList()).isEqualTo(peer.batches.get(0).getDeliveriesList());
        assertThat(peer.deliveries).allSatisfy(d -> {
            assertThat(d.getRedrain()).isTrue();
            assertThat(d.hasPush()).isFalse();
        }).extracting(Delivery::getDeviceId).containsOnly("d", "moved");
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> peer.batches.size() == 2);
    }

    @Test
    void markDirty_whenTheSetIsFull_thenEveryDeliveryCarriesRedrainUntilItDrains() throws Exception {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        link = new ConnNodeLink("conn-x", peer.address(), 4, 2, 5_000, 60_000, 1, (event, n) -> events.add(event),
                InternalTls.plaintext());
        link.markDirty("a", "d", "c");
        link.markDirty("a", "d2", "c");

        link.deliver(List.of(to("unmarked")), 0).get(10, TimeUnit.SECONDS);
        link.deliver(List.of(to("d")), 0).get(10, TimeUnit.SECONDS);
        link.deliver(List.of(to("unmarked")), 0).get(10, TimeUnit.SECONDS);

        assertThat(peer.deliveries).extracting(Delivery::getDeviceId, Delivery::getRedrain).containsExactly(
                tuple("unmarked", true), tuple("d", true), tuple("unmarked", false));
        assertThat(events).containsExactly("marked", "overflowed", "cleared");
    }

    @Test
    void deliver_whenTheChannelIsInTransientFailure_thenFailsAtOnceWithoutOpeningAStream() throws Exception {
        String address = peer.address();
        peer.close();
        link = new ConnNodeLink("conn-x", address, 4, 2, 30_000, 10);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> link.deliver(deliveries(1), 0).get(1, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(LinkUnavailableException.class).hasMessageContaining("TRANSIENT_FAILURE"));
    }

    @Test
    void deliver_whenPeerAnswersWrongNumberOfOutcomes_thenBatchFails() throws Exception {
        link = new ConnNodeLink("conn-x", peer.address(), 4, 2, 5_000, 50);
        peer.outcomeCount = n -> n + 1;

        assertThatThrownBy(() -> link.deliver(deliveries(2), 0).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(LinkUnavailableException.class).hasMessageContaining("(expected: 2)");
    }

    @Test
    void deliver_whenPeerGone_thenFailsQuicklyNotHangs() throws Exception {
        String address = peer.address();
        peer.close();
        link = new ConnNodeLink("conn-x", address, 4, 2, 30_000, 50);

        assertThatThrownBy(() -> link.deliver(deliveries(1), 0).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void fanOut_whenMoreThanMaxInflight_thenQueuedAndAllAnswered() throws Exception {
        peer.fanOutDelayMs = 50;
        link = new ConnNodeLink("conn-x", peer.address(), 4, 2, 5_000, 50);
        FanOutRequest req = FanOutRequest.newBuilder().setAppKey("a").setBroadcast(true).build();

        List<CompletableFuture<?>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            calls.add(link.fanOut(req, 5_000));
        }

        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(peer.fanOuts).hasSize(7);
        assertThat(peer.fanOutsMaxRunning.get()).isBetween(1, 2);
    }

    @Test
    void close_whenFanOutsQueued_thenTheyFail() throws Exception {
        peer.fanOutHold = new CountDownLatch(1);
        link = new ConnNodeLink("conn-x", peer.address(), 4, 1, 30_000, 50);
        FanOutRequest req = FanOutRequest.newBuilder().setAppKey("a").setBroadcast(true).build();
        link.fanOut(req, 30_000);
        CompletableFuture<?> queued = link.fanOut(req, 30_000);

        link.close();

        assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).hasMessageContaining("left");
        peer.fanOutHold.countDown();
    }
}
