package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.frames;
import static io.longlink.conn.session.SessionFixture.push;
import static io.longlink.conn.session.SessionFixture.pushes;
import static io.longlink.conn.session.SessionFixture.session;
import static io.longlink.conn.session.SessionFixture.writable;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class LiveDeliveryTest {
    @AutoClose
    private final SessionFixture node = new SessionFixture();
    private final LiveDelivery delivery = node.layer.delivery();

    /** Runs {@code use} with {@code p} encoded once as the rpc layer fans it out, and releases that frame after. */
    private static void withSharedFrame(Push p, Consumer<ByteBuf> use) {
        ByteBuf frame = Frames.encode(ByteBufAllocator.DEFAULT, FrameType.PUSH, p);
        try {
            use.accept(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void deliver_whenLive_thenWrittenAndCountedLive() {
        EmbeddedChannel ch = node.live("d1");
        assertThat(delivery.deliver(session(ch), push(7))).isEqualTo(Outcome.WRITTEN);
        ch.flush(); // the rpc layer flushes once per batch
        assertThat(pushes(ch)).containsExactly(7L);
        assertThat(node.metric("longlink_conn_pushes_written_total", "source", "live")).isEqualTo(1);
    }

    @Test
    void deliver_whenNoCompletedConnect_thenNotHere() {
        EmbeddedChannel ch = node.open();
        assertThat(delivery.deliver(session(ch), push(7))).isEqualTo(Outcome.NOT_HERE);
    }

    @Test
    void deliver_whenClosing_thenNotHere() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        delivery.kick(s, "taken over");
        ch.runPendingTasks();
        assertThat(delivery.deliver(s, push(7))).isEqualTo(Outcome.NOT_HERE);
        withSharedFrame(push(7), frame -> assertThat(delivery.fanOut(s, frame, push(7), 0)).isFalse());
    }

    @Test
    void deliver_whenSocketFull_thenRejectedAndTheInboxWrittenAgainOnceItDrains() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        node.stores.inboxes.reads.clear();
        writable(ch, false);
        node.stores.inboxes.add("d1", push(7)); // the router stored the copy before delivering it
        assertThat(delivery.deliver(s, push(7))).isEqualTo(Outcome.REJECTED);
        assertThat(node.stores.inboxes.reads).isEmpty();

        writable(ch, true);
        assertThat(pushes(ch)).containsExactly(7L);
        assertThat(s.state()).isEqualTo(Session.LIVE);
        assertThat(node.stores.inboxes.reads).containsExactly(PageCursor.START);
        assertThat(node.metric("longlink_conn_inbox_redrains_total")).isEqualTo(1);
        assertThat(node.metric("longlink_conn_pushes_written_total", "source", "live")).isZero();

        writable(ch, false);
        writable(ch, true); // nothing was refused meanwhile: no second re-drain
        assertThat(node.metric("longlink_conn_inbox_redrains_total")).isEqualTo(1);
    }

    @Test
    void redrain_whenTheInboxReadFails_thenSessionStaysLive() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        writable(ch, false);
        assertThat(delivery.deliver(s, push(7))).isEqualTo(Outcome.REJECTED);
        node.stores.inboxes.replies.fail(new IllegalStateException("redis down"));

        writable(ch, true);
        assertThat(s.state()).isEqualTo(Session.LIVE);
        assertThat(ch.isOpen()).isTrue();
        assertThat(node.metric("longlink_conn_redis_errors_total", "op", "inbox_redrain")).isEqualTo(1);
        assertThat(delivery.deliver(s, push(8))).isEqualTo(Outcome.WRITTEN);
    }

    @Test
    void redrain_whileRunning_thenLivePushesHeldBehindIt() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        writable(ch, false);
        node.stores.inboxes.add("d1", push(7));
        delivery.deliver(s, push(7));
        node.stores.inboxes.replies.hold();
        writable(ch, true);
        assertThat(s.state()).isEqualTo(Session.DRAINING);

        assertThat(delivery.deliver(s, push(8))).isEqualTo(Outcome.WRITTEN);
        node.stores.inboxes.replies.release();
        assertThat(pushes(ch)).containsExactly(7L, 8L);
    }

    @Test
    void deliver_whenRedrainOnALiveSession_thenTheInboxFirstAndThePushHeldBehindItWrittenOnce() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        node.stores.inboxes.add("d1", push(5)); // its DeliveryBatch failed: stored, the device marked dirty
        node.stores.inboxes.add("d1", push(6)); // stored before this delivery, as every copy is
        assertThat(delivery.deliver(s, push(6), true)).isEqualTo(Outcome.WRITTEN);
        assertLiveAfterOneRedrain(ch, 5L, 6L);
    }

    /** The device got {@code ids}, each once, from one re-drain, and its session is live again. */
    private void assertLiveAfterOneRedrain(EmbeddedChannel ch, Long... ids) {
        assertThat(pushes(ch)).containsExactly(ids);
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
        assertThat(node.metric("longlink_conn_inbox_redrains_total")).isEqualTo(1);
    }

    @Test
    void deliver_whenRedrainOnlyWhileTheInboxReadIsHeld_thenThePushesMeanwhileFollowIt() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        node.stores.inboxes.add("d1", push(5));
        node.stores.inboxes.replies.hold();
        assertThat(delivery.deliver(s, null, true)).isEqualTo(Outcome.WRITTEN);
        assertThat(s.state()).isEqualTo(Session.DRAINING);
        assertThat(delivery.deliver(s, push(7))).isEqualTo(Outcome.WRITTEN); // held

        node.stores.inboxes.replies.release();
        assertThat(pushes(ch)).containsExactly(5L, 7L);
    }

    @Test
    void deliver_whenRedrainWhileTheCatchUpsInboxReadRanBeforeTheCopyWasStored_thenAnotherRoundWritesIt() {
        // Redis ran the catch-up's inbox read before the router stored the copy; the reply is still on its way
        node.stores.inboxes.replies.holdAnswers();
        EmbeddedChannel ch = node.connected("d1");
        Session s = session(ch);
        node.stores.inboxes.add("d1", push(5));
        node.stores.inboxes.add("d1", push(6));
        assertThat(delivery.deliver(s, push(6), true)).isEqualTo(Outcome.WRITTEN); // held

        node.stores.inboxes.replies.release();
        assertLiveAfterOneRedrain(ch, 5L, 6L);
    }

    @Test
    void deliver_whenRedrainAfterTheCatchUpReadTheInbox_thenAnotherRoundWritesWhatWasStoredSince() {
        node.stores.logs.replies.hold(); // the catch-up waits for the log, the inbox read already
        EmbeddedChannel ch = node.connected("d1");
        Session s = session(ch);
        node.stores.inboxes.add("d1", push(5));
        assertThat(delivery.deliver(s, push(6), true)).isEqualTo(Outcome.WRITTEN); // held
        node.stores.inboxes.add("d1", push(6));

        node.stores.logs.replies.release();
        assertLiveAfterOneRedrain(ch, 5L, 6L); // another round writes the inbox; the held push was in it
    }

    @Test
    void fanOut_whenTheSocketIsFullAndTheCopyIsLogged_thenReplayedFromTheLogOnceWritable() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        writable(ch, false);
        Push p = push(9);
        long position = node.stores.logs.add(p, null);
        withSharedFrame(p, frame -> assertThat(delivery.fanOut(s, frame, p, position)).isFalse());
        assertThat(s.flags & Session.F_LOG_GAP).isNotZero();
        assertThat(node.metric("longlink_conn_broadcast_log_gaps_total")).isEqualTo(1);

        writable(ch, true);
        assertThat(pushes(ch)).containsExactly(9L);
        assertThat(s.state()).isEqualTo(Session.LIVE);
        assertThat(s.flags & Session.F_LOG_GAP).isZero();
    }

    @Test
    void fanOut_whenTheSocketIsFullAndTheCopyIsNotLogged_thenSkippedAndNothingReplayed() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        writable(ch, false);
        Push p = push(9); // TTL 0: online only
        withSharedFrame(p, frame -> assertThat(delivery.fanOut(s, frame, p, 0)).isFalse());
        writable(ch, true);
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(s.flags & Session.F_LOG_GAP).isZero();
        assertThat(node.metric("longlink_conn_inbox_redrains_total")).isZero();
    }

    @Test
    void fanOut_whenTheHeldQueueIsFull_thenTheLogReplayedAfterTheCatchUp() {
        node.stores.inboxes.replies.hold();
        EmbeddedChannel ch = node.connected("d1");
        Session s = session(ch);
        for (long id = 1; id <= node.settings.pendingMax(); id++) {
            assertThat(delivery.deliver(s, push(id))).isEqualTo(Outcome.WRITTEN);
        }
        Push p = push(9);
        long position = node.stores.logs.add(p, null);
        withSharedFrame(p, frame -> assertThat(delivery.fanOut(s, frame, p, position)).isFalse());

        node.stores.inboxes.replies.release();
        // the CONNECT replay found it (logged before the FanOut); the held pushes follow the next round
        assertThat(pushes(ch)).containsExactly(9L, 1L, 2L, 3L, 4L);
        assertThat(s.state()).isEqualTo(Session.LIVE);
    }

    @Test
    void fanOut_whenLive_thenTheSharedFrameWrittenWithItsOwnReference() {
        EmbeddedChannel a = node.live("a");
        EmbeddedChannel b = node.live("b");
        Push p = push(9);
        withSharedFrame(p, frame -> {
            assertThat(delivery.fanOut(session(a), frame, p, 0)).isTrue();
            assertThat(delivery.fanOut(session(b), frame, p, 0)).isTrue();
            a.flush();
            b.flush();
            assertThat(pushes(a)).containsExactly(9L);
            assertThat(pushes(b)).containsExactly(9L);
            assertThat(frame.refCnt()).isEqualTo(1); // the caller's reference, untouched
        });
        assertThat(node.metric("longlink_conn_pushes_written_total", "source", "fanout")).isEqualTo(2);
    }

    @Test
    void fanOut_whenCatchingUp_thenHeld_andWhenSocketFull_thenNotWritten() {
        EmbeddedChannel full = node.live("b");
        writable(full, false);
        node.stores.inboxes.replies.hold();
        EmbeddedChannel catchingUp = node.connected("a");
        Push p = push(9);
        withSharedFrame(p, frame -> {
            assertThat(delivery.fanOut(session(catchingUp), frame, p, 0)).isTrue();
            assertThat(delivery.fanOut(session(full), frame, p, 0)).isFalse();
            assertThat(frame.refCnt()).isEqualTo(1);
        });
        node.stores.inboxes.replies.release();
        assertThat(pushes(catchingUp)).containsExactly(9L);
    }

    @Test
    void kick_thenKickThenErrorKickedThenClose() throws Exception {
        EmbeddedChannel ch = node.live("d1");
        delivery.kick(session(ch), "a newer connection took over");
        assertThat(ch.outboundMessages()).isEmpty(); // never inline: it runs as a task on the session's loop
        ch.runPendingTasks();

        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.KICK, FrameType.ERROR);
        assertThat(Kick.parseFrom(frames.get(0).body()).getReason()).isEqualTo("a newer connection took over");
        assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
        assertThat(ch.isOpen()).isFalse();
        assertThat(node.stores.routes.values).doesNotContainKey(RedisKeys.route(SessionFixture.APP, "d1"));
    }

    @Test
    void redirect_thenRedirectThenErrorServerDrainingThenCloseAndCounted() {
        EmbeddedChannel ch = node.live("d1");
        delivery.redirect(session(ch), node.redirect);

        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.REDIRECT, FrameType.ERROR);
        assertThat(frames.get(0).redirect()).isEqualTo(node.redirect);
        assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.SERVER_DRAINING);
        assertThat(ch.isOpen()).isFalse();
        assertThat(node.metric("longlink_conn_redirects_total")).isEqualTo(1);
    }
}
