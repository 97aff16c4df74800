package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.push;
import static io.longlink.conn.session.SessionFixture.pushes;
import static io.longlink.conn.session.SessionFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.device.Ack;
import io.longlink.proto.internal.Outcome;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class AckHandlerTest {
    @AutoClose
    private final SessionFixture node = new SessionFixture();
    private final FakeStores.FakeInboxes inboxes = node.stores.inboxes;
    private final FakeStores.FakeLogs logs = node.stores.logs;

    private static Ack ack(long... ids) {
        Ack.Builder a = Ack.newBuilder();
        for (long id : ids) {
            a.addMessageIds(id);
        }
        return a.build();
    }

    /** A DeliveryBatch waiting for ACKs: {@code answered} once its wait is over. */
    private static final class Batch implements AckWaiter {
        final List<Integer> awaiting = new ArrayList<>();
        final List<Integer> acked = new ArrayList<>();
        boolean answered;

        @Override
        public void awaiting(int index) {
            awaiting.add(index);
        }

        @Override
        public boolean acked(int index) {
            acked.add(index);
            return !answered;
        }

        @Override
        public boolean answered() {
            return answered;
        }
    }

    @Test
    void ack_whenIdsAcknowledged_thenRemovedFromTheInboxAndCounted() {
        inboxes.add("d1", push(10));
        inboxes.add("d1", push(20));
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(ack(10, 20));

        assertThat(inboxes.acked).containsExactly(10L, 20L);
        assertThat(inboxes.members("d1")).isEmpty();
        assertThat(node.metric("longlink_conn_ack_ids_total")).isEqualTo(2);
    }

    @Test
    void ack_whenMoreIdsThanPushesWritten_thenOnlyThatManyRemovedAndTheRestIgnored() {
        inboxes.add("d1", push(10));
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(ack(10, 11, 12));

        assertThat(inboxes.acked).containsExactly(10L);
        assertThat(node.metric("longlink_conn_ack_ids_total")).isEqualTo(3);
        assertThat(node.metric("longlink_conn_ack_ids_ignored_total")).isEqualTo(2);
    }

    @Test
    void ack_whenNothingWasPushedOnTheConnection_thenNoRemovalIsAttempted() {
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(ack(5, 6));
        assertThat(inboxes.acked).isEmpty();
        assertThat(node.metric("longlink_conn_ack_ids_ignored_total")).isEqualTo(2);
    }

    @Test
    void ack_whenAnIdIsAckedAgainWithoutBeingSentAgain_thenTheRepeatIsIgnored() {
        inboxes.add("d1", push(10));
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(ack(10));
        ch.writeInbound(ack(10));
        assertThat(inboxes.acked).containsExactly(10L);

        Session s = session(ch);
        node.layer.delivery().deliver(s, push(10));
        ch.writeInbound(ack(10));
        assertThat(inboxes.acked).containsExactly(10L, 10L);
    }

    @Test
    void ack_whenRedisQueueFull_thenReadsPauseUntilTheRemovalIsQueued() {
        inboxes.add("d1", push(10));
        EmbeddedChannel ch = node.live("d1");
        inboxes.queueFull = true;
        ch.writeInbound(ack(10));
        assertThat(inboxes.acked).isEmpty();
        assertThat(ch.config().isAutoRead()).isFalse();

        inboxes.parked.remove(0).run();
        ch.runPendingTasks();
        assertThat(inboxes.acked).containsExactly(10L);
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void ack_whenNoIds_thenNothingRemovedOrCounted() {
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(Ack.getDefaultInstance());
        assertThat(inboxes.acked).isEmpty();
        assertThat(node.metric("longlink_conn_ack_ids_total")).isZero();
    }

    @Test
    void ack_whenLastReplayedIdAcknowledged_thenPositionMovesPastTheReplay() {
        logs.add(push(20), null);
        logs.add(push(30), null);
        logs.add(push(40), null);
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        assertThat(s.replayMark).isEqualTo(new ReplayMark(40, 3));

        ch.writeInbound(ack(20, 30));
        assertThat(logs.marked).isEmpty();
        ch.writeInbound(ack(40));
        assertThat(logs.marked).containsExactly(3L);
        assertThat(s.replayMark).isNull();
        ch.writeInbound(ack(40));
        assertThat(logs.marked).hasSize(1);
    }

    @Test
    void ack_whenLastReplayedIdAcknowledgedBeforeTheCatchUpEnds_thenPositionMovesAtTheEnd() {
        logs.add(push(20), null);
        logs.add(push(30), null);
        logs.replies.holdAfter(3); // position, first page, its bodies; the next page read waits
        EmbeddedChannel ch = node.connected("d1");
        Session s = session(ch);
        assertThat(pushes(ch)).containsExactly(20L, 30L);
        assertThat(s.state()).isEqualTo(Session.DRAINING);

        ch.writeInbound(ack(30));
        logs.replies.release();

        assertThat(s.state()).isEqualTo(Session.LIVE);
        assertThat(logs.marked).containsExactly(2L);
        assertThat(s.replayMark).isNull();
    }

    /** A FanOut of message {@code id} at log {@code position} that this node wrote. */
    private void fannedOut(long id, long position) {
        node.copies.started(SessionFixture.APP, id, position);
        node.copies.finished(SessionFixture.APP, position);
    }

    @Test
    void ack_whenAFanOutCopyIsAcked_thenCountedAsOneAndNotRemovedAndThePositionMovedButNotYetWritten() {
        inboxes.add("d1", push(10));
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        fannedOut(901, 7);
        ch.writeInbound(ack(901, 10));

        assertThat(logs.acked).containsExactly(901L);
        assertThat(inboxes.acked).containsExactly(10L); // only the id that may have an inbox entry
        assertThat(s.logPosition).isEqualTo(7);
        assertThat(s.flags & Session.F_SEEN_DIRTY).isNotZero();
        assertThat(logs.marked).isEmpty(); // written with the route renewal or at close
    }

    @Test
    void ack_whenAnOnlineOnlyFanOutCopyIsAcked_thenCountedWithoutAnInboxRemovalOrAPositionMove() {
        inboxes.add("d1", push(10));
        EmbeddedChannel ch = node.live("d1");
        node.copies.started(SessionFixture.APP, 905, 0); // TTL 0: not in the broadcast log
        node.copies.finished(SessionFixture.APP, 0);
        ch.writeInbound(ack(905));

        assertThat(inboxes.acked).isEmpty();
        assertThat(logs.acked).containsExactly(905L);
        assertThat(session(ch).logPosition).isZero();
        assertThat(session(ch).ackCredit).isEqualTo(1); // still there for the inbox entry sent
    }

    @Test
    void ack_whenAFanOutCopyIsAckedOnly_thenNoInboxRemoval() {
        EmbeddedChannel ch = node.live("d1");
        fannedOut(901, 7);
        ch.writeInbound(ack(901));
        assertThat(inboxes.acked).isEmpty();
        assertThat(node.metric("longlink_conn_ack_ids_total")).isEqualTo(1);
    }

    @Test
    void ack_whenALoggedCopyWentMissing_thenThePositionStays() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        s.flags |= Session.F_LOG_GAP;
        fannedOut(901, 7);
        ch.writeInbound(ack(901));
        assertThat(s.logPosition).isZero();
        assertThat(logs.acked).containsExactly(901L); // still counted
    }

    @Test
    void ack_whenAnEarlierFanOutIsStillBeingWritten_thenThePositionStopsBeforeIt() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        fannedOut(900, 6);
        node.copies.started(SessionFixture.APP, 901, 7); // a spread, still writing
        fannedOut(902, 8);
        ch.writeInbound(ack(902));
        assertThat(s.logPosition).isEqualTo(6);
    }

    @Test
    void ack_whenAnOlderFanOutCopyIsAckedLate_thenThePositionNeverMovesBack() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        fannedOut(900, 6);
        fannedOut(901, 7);
        ch.writeInbound(ack(901));
        ch.writeInbound(ack(900));
        assertThat(s.logPosition).isEqualTo(7);
    }

    @Test
    void ack_whenAFanOutCopyIsAckedDuringACatchUp_thenThePositionStays() {
        inboxes.replies.hold();
        EmbeddedChannel ch = node.connected("d1");
        fannedOut(901, 7);
        ch.writeInbound(ack(901));
        assertThat(session(ch).logPosition).isZero();
    }

    @Test
    void ack_whenAwaitedCopyAcknowledgedInTime_thenBatchAnsweredAndNothingRemovedFromTheInbox() {
        inboxes.add("d1", push(8));
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        Batch batch = new Batch();
        assertThat(node.layer.delivery().deliver(s, push(7), false, batch, 3)).isEqualTo(Outcome.WRITTEN);
        assertThat(batch.awaiting).containsExactly(3);

        ch.writeInbound(ack(7, 8));
        assertThat(batch.acked).containsExactly(3);
        assertThat(inboxes.ackedLive).containsExactly(7L);
        assertThat(inboxes.acked).containsExactly(8L);
        assertThat(s.ackWaits).isNull();
    }

    @Test
    void ack_whenAwaitedCopyAcknowledgedAfterItsBatchAnswered_thenRemovedOrMarkedAsTheRouterStoresIt() {
        EmbeddedChannel ch = node.live("d1");
        Batch batch = new Batch();
        node.layer.delivery().deliver(session(ch), push(7), false, batch, 0);
        batch.answered = true;

        ch.writeInbound(ack(7));
        assertThat(inboxes.ackedLive).isEmpty();
        assertThat(inboxes.ackedLate).containsExactly(7L); // the router's write may still be on its way
        assertThat(inboxes.acked).isEmpty();

        ch.writeInbound(ack(7)); // once more: no longer awaited, a plain removal
        assertThat(inboxes.ackedLate).containsExactly(7L);
    }

    @Test
    void await_whenAnEarlierAwaitedCopyWentUnacknowledged_thenNotAwaitedUntilTheDeviceAcksAgain() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        LiveDelivery delivery = node.layer.delivery();
        Batch late = new Batch();
        delivery.deliver(s, push(1), false, late, 0);
        late.answered = true;

        Batch next = new Batch();
        assertThat(delivery.deliver(s, push(2), false, next, 0)).isEqualTo(Outcome.WRITTEN);
        assertThat(next.awaiting).isEmpty();

        ch.writeInbound(ack(2));
        Batch after = new Batch();
        delivery.deliver(s, push(3), false, after, 5);
        assertThat(after.awaiting).containsExactly(5);
    }

    @Test
    void await_whenDeliveryHeldBehindTheCatchUp_thenNotAwaited() {
        inboxes.replies.hold();
        Session s = session(node.connected("d1"));
        Batch batch = new Batch();
        assertThat(node.layer.delivery().deliver(s, push(7), false, batch, 0)).isEqualTo(Outcome.WRITTEN);
        assertThat(batch.awaiting).isEmpty();
        assertThat(s.ackWaits).isNull();
    }
}
