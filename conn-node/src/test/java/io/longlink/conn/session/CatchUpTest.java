package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.connect;
import static io.longlink.conn.session.SessionFixture.frames;
import static io.longlink.conn.session.SessionFixture.next;
import static io.longlink.conn.session.SessionFixture.push;
import static io.longlink.conn.session.SessionFixture.pushes;
import static io.longlink.conn.session.SessionFixture.session;
import static io.longlink.conn.session.SessionFixture.writable;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.internal.Outcome;
import io.longlink.proto.internal.TagFilter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class CatchUpTest {
    @AutoClose
    private final SessionFixture node = new SessionFixture();
    private final FakeStores.FakeInboxes inboxes = node.stores.inboxes;
    private final FakeStores.FakeLogs logs = node.stores.logs;

    private void inbox(String device, long... ids) {
        for (long id : ids) {
            inboxes.add(device, push(id));
        }
    }

    private static TagFilter anyOf(String tag) {
        return TagFilter.newBuilder().addAnyOf(tag).build();
    }

    /** A message id made at millisecond {@code ms} (its timestamp bits): the merge orders the sources by it. */
    private static long at(long ms) {
        return ms << 22;
    }

    @Test
    void connect_whenInboxHoldsMessages_thenWrittenPageByPageInPositionOrderThenLive() {
        inbox("d1", 30, 10, 20); // accepted in this order: positions 1, 2, 3
        EmbeddedChannel ch = node.connected("d1");

        assertThat(pushes(ch)).containsExactly(30L, 10L, 20L);
        // pages of 2: the second starts after the first's last entry
        assertThat(inboxes.reads).containsExactly(PageCursor.START, new PageCursor(2, RedisKeys.inboxMember(10), 1));
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
        assertThat(node.metric("longlink_conn_inbox_drained_messages_total")).isEqualTo(3);
        assertThat(node.metric("longlink_conn_pushes_written_total", "source", "inbox")).isEqualTo(3);
    }

    @Test
    void connect_whenLastMessageIdGiven_thenOlderDrainedMessagesCountedAsRedelivered() {
        inbox("d1", 10, 20, 30);
        EmbeddedChannel ch = node.open();
        ch.writeInbound(connect("d1").toBuilder().setLastMessageId(20).build());
        assertThat(frames(ch)).hasSize(4);
        assertThat(node.metric("longlink_conn_inbox_redelivered_total")).isEqualTo(2);
    }

    @Test
    void connect_whenBodiesGoneExpiredOrUnreadable_thenThoseRemovedAndTheRestWritten() {
        inbox("d1", 10);
        inboxes.put("d1", RedisKeys.inboxMember(20), null);
        inboxes.add("d1", push(30).toBuilder().setExpiresAtMs(System.currentTimeMillis() - 1_000).build());
        inboxes.put("d1", RedisKeys.inboxMember(40), new byte[] {(byte) 0xFF, (byte) 0xFF});
        inbox("d1", 50);
        EmbeddedChannel ch = node.connected("d1");

        assertThat(pushes(ch)).containsExactly(10L, 50L);
        assertThat(inboxes.expired).containsExactly(20L, 30L, 40L);
    }

    @Test
    void connect_whenTheInboxSpansManyPages_thenEveryEntryWrittenBeforeLive() {
        for (long id = 1; id <= 7; id++) {
            inboxes.add("d1", push(id));
        }
        EmbeddedChannel ch = node.connected("d1");
        assertThat(pushes(ch)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(inboxes.reads).hasSize(4);
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
    }

    @Test
    void connect_whenAnEntryIsStoredWhileTheInboxIsRead_thenWrittenInItsPlaceWhateverItsId() {
        inbox("d1", 50, 60);
        inboxes.replies.holdAfter(1); // the second page waits
        EmbeddedChannel ch = node.connected("d1");
        assertThat(pushes(ch)).containsExactly(50L, 60L);
        inbox("d1", 5); // a lower id, accepted later: a higher position
        inboxes.replies.release();
        assertThat(pushes(ch)).containsExactly(5L);
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
    }

    @Test
    void deliver_whileCatchingUp_thenHeldAndWrittenAfterTheInboxWithoutWhatItWrote() {
        inbox("d1", 10, 20);
        inboxes.replies.hold();
        EmbeddedChannel ch = node.connected("d1");
        Session s = session(ch);
        LiveDelivery delivery = node.layer.delivery();

        assertThat(delivery.deliver(s, push(20))).isEqualTo(Outcome.WRITTEN); // also in the inbox
        assertThat(delivery.deliver(s, push(25))).isEqualTo(Outcome.WRITTEN);
        ch.flush();
        assertThat(ch.outboundMessages()).isEmpty();

        inboxes.replies.release();
        assertThat(pushes(ch)).containsExactly(10L, 20L, 25L);
        assertThat(s.state()).isEqualTo(Session.LIVE);
        assertThat(node.metric("longlink_conn_pushes_written_total", "source", "live")).isEqualTo(1);
    }

    @Test
    void deliver_whileCatchingUpAndHoldingThePendingMax_thenRejected() {
        inboxes.replies.hold();
        Session s = session(node.connected("d1"));
        LiveDelivery delivery = node.layer.delivery();
        for (long id = 1; id <= node.settings.pendingMax(); id++) {
            assertThat(delivery.deliver(s, push(id))).isEqualTo(Outcome.WRITTEN);
        }
        assertThat(delivery.deliver(s, push(99))).isEqualTo(Outcome.REJECTED);
    }

    @Test
    void deliver_whenTheHeldQueueIsFull_thenTheRefusedCopiesWrittenByAnotherRoundBeforeTheSessionIsLive() {
        node.stores.logs.replies.hold(); // the catch-up read the (empty) inbox and waits for the log
        EmbeddedChannel ch = node.connected("d1");
        Session s = session(ch);
        LiveDelivery delivery = node.layer.delivery();
        for (long id = 1; id <= node.settings.pendingMax() + 2; id++) {
            inboxes.add("d1", push(id)); // as routers do: stored, then delivered
            assertThat(delivery.deliver(s, push(id)))
                    .isEqualTo(id <= node.settings.pendingMax() ? Outcome.WRITTEN : Outcome.REJECTED);
        }
        logs.replies.release();

        assertThat(pushes(ch)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L); // each once, in acceptance order
        assertThat(s.state()).isEqualTo(Session.LIVE);
        assertThat(node.metric("longlink_conn_inbox_redrains_total")).isEqualTo(1);
    }

    @Test
    void connect_whenInboxReadFails_thenClosedWithInternalAfterConnAckAndNothingLive() {
        inboxes.replies.fail(new IllegalStateException("redis down"));
        EmbeddedChannel ch = node.connected("d1");

        SessionFixture.Frame error = next(ch);
        assertThat(error.error().getCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ch.isOpen()).isFalse();
        assertThat(node.metric("longlink_conn_redis_errors_total", "op", "inbox")).isEqualTo(1);
        assertThat(node.metric("longlink_conn_connect_failures_total", "code", "INTERNAL")).isZero();
    }

    @Test
    void connect_whenBroadcastLogHasEntries_thenMergedWithTheInboxInTimeOrderAndFilteredByTags() {
        node.stores.tags.tags.put("d1", List.of("vip"));
        inbox("d1", at(10), at(30));
        logs.add(push(at(20)), null);
        logs.add(push(at(30)), null); // in both: written once
        logs.add(push(at(40)), anyOf("vip"));
        long last = logs.add(push(at(50)), anyOf("news"));
        EmbeddedChannel ch = node.connected("d1");

        assertThat(pushes(ch)).containsExactly(at(10), at(20), at(30), at(40));
        Session s = session(ch);
        assertThat(s.state()).isEqualTo(Session.LIVE);
        // ll:seen moves past 50 once the device ACKs 40, the last one replayed
        assertThat(s.replayMark).isEqualTo(new ReplayMark(at(40), last));
        assertThat(logs.marked).isEmpty();
        assertThat(node.metric("longlink_conn_broadcast_replays_total")).isEqualTo(1);
        assertThat(node.metric("longlink_conn_broadcast_log_entries_total", "result", "written")).isEqualTo(2);
        assertThat(node.metric("longlink_conn_broadcast_log_entries_total", "result", "not_for_device")).isEqualTo(1);
        assertThat(node.metric("longlink_conn_pushes_written_total", "source", "replay")).isEqualTo(2);
    }

    @Test
    void connect_whenDevicePositionStored_thenReplayStartsAfterIt() {
        long seen = logs.add(push(20), null);
        logs.add(push(30), null);
        logs.seen.put("d1", Long.toString(seen));
        EmbeddedChannel ch = node.connected("d1");
        assertThat(pushes(ch)).containsExactly(30L);
        assertThat(session(ch).logPosition).isEqualTo(seen);
    }

    @Test
    void connect_whenLogPositionsRunAgainstIds_thenReplayedInLogOrder() {
        logs.add(push(at(30)), null);
        logs.add(push(at(20)), null);
        logs.add(push(at(10)), null);
        assertThat(pushes(node.connected("d1"))).containsExactly(at(30), at(20), at(10));
    }

    @Test
    void connect_whenNoPositionStored_thenTheWholeLogSkippingOnlyIdsOlderThanTheHintBeyondTheSkew() {
        long hint = at(1_000_000);
        logs.add(push(at(1_000_000 - 60_001)), null); // older than the hint by more than the skew
        logs.add(push(at(1_000_000 - 60_000)), null);
        logs.add(push(at(1_000_000 + 5)), null);
        EmbeddedChannel ch = node.open();
        ch.writeInbound(connect("d1").toBuilder().setLastMessageId(hint).build());
        assertThat(next(ch).type()).isEqualTo(FrameType.CONNACK);
        assertThat(pushes(ch)).containsExactly(at(1_000_000 - 60_000), at(1_000_000 + 5));
        assertThat(node.metric("longlink_conn_broadcast_log_entries_total", "result", "older_than_hint")).isEqualTo(1);
    }

    @Test
    void connect_whenThePositionStoredIsAMemberFromBeforePositions_thenTheWholeLogWithItAsTheHint() {
        logs.add(push(at(1_000)), null);
        logs.add(push(at(500_000)), null);
        logs.seen.put("d1", RedisKeys.inboxMember(at(400_000)));
        assertThat(pushes(node.connected("d1"))).containsExactly(at(500_000));
    }

    @Test
    void connect_whenNoLogEntryIsForTheDevice_thenPositionMovedAtOnce() {
        long position = logs.add(push(20), anyOf("news"));
        EmbeddedChannel ch = node.connected("d1");
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(logs.marked).containsExactly(position);
        assertThat(session(ch).replayMark).isNull();
        assertThat(session(ch).logPosition).isEqualTo(position);
    }

    @Test
    void connect_whenLogLongerThanTheReplayMax_thenTheLivePushesHeldGoOutAndTheRestFollows() {
        SessionFixture small = new SessionFixture(s -> s.replayMax = 2);
        try {
            for (long id = 1; id <= 5; id++) {
                small.stores.logs.add(push(id), null);
            }
            small.stores.logs.replies.holdAfter(2); // the position, the first page; its bodies wait
            EmbeddedChannel ch = small.connected("d1");
            Session s = session(ch);
            assertThat(small.layer.delivery().deliver(s, push(99))).isEqualTo(Outcome.WRITTEN); // held
            small.stores.logs.replies.release();

            assertThat(pushes(ch)).containsExactly(1L, 2L, 99L, 3L, 4L, 5L);
            assertThat(s.state()).isEqualTo(Session.LIVE);
            assertThat(s.flags & Session.F_LOG_GAP).isZero();
            assertThat(small.metric("longlink_conn_inbox_redrains_total")).isEqualTo(2);
        } finally {
            small.close();
        }
    }

    @Test
    void connect_whenLogBodyGoneOrUnreadable_thenSkippedAndCounted() {
        logs.add(push(20), null);
        logs.bodies.remove(20L);
        logs.entry(RedisKeys.inboxMember(30), new byte[] {(byte) 0xFF});
        logs.entry("not-a-member", new byte[0]);
        logs.add(push(40), null);
        EmbeddedChannel ch = node.connected("d1");

        assertThat(pushes(ch)).containsExactly(40L);
        assertThat(node.stores.inboxes.undelivered).containsExactly(20L);
        assertThat(node.metric("longlink_conn_broadcast_log_entries_total", "result", "body_gone")).isEqualTo(1);
        assertThat(node.metric("longlink_conn_broadcast_log_entries_total", "result", "unreadable")).isEqualTo(2);
    }

    @Test
    void connect_whileTagsLoad_thenLogNotReadUntilTheyAreIndexed() {
        node.stores.tags.tags.put("d1", List.of("vip"));
        node.stores.tags.replies.hold();
        logs.add(push(40), anyOf("vip"));
        EmbeddedChannel ch = node.connected("d1");
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(session(ch).state()).isEqualTo(Session.DRAINING);

        node.stores.tags.replies.release();
        assertThat(pushes(ch)).containsExactly(40L);
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
    }

    @Test
    void connect_whenReplayOff_thenLogNotRead() {
        SessionFixture noReplay = new SessionFixture(s -> s.replayMax = 0);
        try {
            noReplay.stores.logs.add(push(20), null);
            noReplay.stores.inboxes.add("d1", push(10));
            assertThat(pushes(noReplay.live("d1"))).containsExactly(10L);
            assertThat(noReplay.metric("longlink_conn_broadcast_replays_total")).isZero();
        } finally {
            noReplay.close();
        }
    }

    @Test
    void connect_whenLogReadFails_thenInboxStillWrittenAndSessionLive() {
        inbox("d1", 10);
        logs.add(push(20), null);
        logs.replies.fail(new IllegalStateException("redis down"));
        EmbeddedChannel ch = node.connected("d1");

        assertThat(pushes(ch)).containsExactly(10L);
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
        assertThat(ch.isOpen()).isTrue();
        assertThat(logs.marked).isEmpty(); // the rest of the log comes with a later re-drain
        assertThat(node.metric("longlink_conn_redis_errors_total", "op", "broadcast_log")).isEqualTo(1);
        assertThat(session(ch).flags & Session.F_LOG_GAP).isNotZero();
    }

    @Test
    void connect_whenSocketFullAfterConnAck_thenNoPageReadUntilItDrains() {
        inbox("d1", 10, 20, 30);
        EmbeddedChannel ch = node.open();
        writable(ch, false);
        ch.writeInbound(connect("d1"));
        assertThat(next(ch).type()).isEqualTo(FrameType.CONNACK);
        assertThat(inboxes.reads).isEmpty();

        writable(ch, true);
        assertThat(pushes(ch)).containsExactly(10L, 20L, 30L);
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
    }

    @Test
    void close_whileAPageIsRead_thenTheLateReplyWritesNothing() {
        inbox("d1", 10);
        inboxes.replies.hold();
        EmbeddedChannel ch = node.connected("d1");
        ch.close();
        inboxes.replies.release();
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(session(ch)).isNull();
    }
}
