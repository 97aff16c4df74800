package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.frames;
import static io.longlink.conn.session.SessionFixture.push;
import static io.longlink.conn.session.SessionFixture.pushes;
import static io.longlink.conn.session.SessionFixture.session;
import static io.longlink.conn.session.SessionFixture.writable;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.codec.Frames;
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
        withSharedFrame(push(7), frame -> assertThat(delivery.fanOut(s, frame, push(7))).isFalse());
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
        assertThat(node.stores.inboxes.reads).containsExactly("-");
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
    void fanOut_whenLive_thenTheSharedFrameWrittenWithItsOwnReference() {
        EmbeddedChannel a = node.live("a");
        EmbeddedChannel b = node.live("b");
        Push p = push(9);
        withSharedFrame(p, frame -> {
            assertThat(delivery.fanOut(session(a), frame, p)).isTrue();
            assertThat(delivery.fanOut(session(b), frame, p)).isTrue();
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
            assertThat(delivery.fanOut(session(catchingUp), frame, p)).isTrue();
            assertThat(delivery.fanOut(session(full), frame, p)).isFalse();
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
