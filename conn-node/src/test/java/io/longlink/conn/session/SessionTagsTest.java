package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.APP;
import static io.longlink.conn.session.SessionFixture.frames;
import static io.longlink.conn.session.SessionFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.internal.TagFilter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class SessionTagsTest {
    @AutoClose
    private final SessionFixture node = new SessionFixture(s -> s.maxTags = 2);
    private final FakeStores.FakeTags tags = node.stores.tags;

    /** The devices FanOut would reach with {@code any_of: tag}. */
    private List<String> reached(String tag) {
        List<String> out = new ArrayList<>();
        node.index.match(APP, false, TagFilter.newBuilder().addAnyOf(tag).build(), s -> out.add(s.deviceId()));
        return out;
    }

    private int refresh(Session s) {
        return node.layer.tags().refresh(s).toCompletableFuture().join();
    }

    @Test
    void connect_whenDeviceHasTags_thenIndexedForFanOut() {
        tags.tags.put("d1", List.of("vip", "beta"));
        node.live("d1");
        assertThat(reached("vip")).containsExactly("d1");
        assertThat(reached("beta")).containsExactly("d1");
    }

    @Test
    void connect_whenMoreTagsThanTheMax_thenTheFirstMaxIndexed() {
        tags.tags.put("d1", List.of("a", "b", "c"));
        node.live("d1");
        assertThat(reached("a")).containsExactly("d1");
        assertThat(reached("b")).containsExactly("d1");
        assertThat(reached("c")).isEmpty();
    }

    @Test
    void connect_whenTagStoreFails_thenRefusedWithInternalAndCounted() {
        tags.replies.fail(new IllegalStateException("redis down"));
        EmbeddedChannel ch = node.connecting("d1");

        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.CONNACK, FrameType.ERROR);
        assertThat(frames.get(0).connAck().getCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ch.isOpen()).isFalse();
        assertThat(node.metric("longlink_conn_redis_errors_total", "op", "tags")).isEqualTo(1);
        assertThat(node.index.find(APP, "d1")).isNull();
    }

    @Test
    void connect_whenTagStoreFailsAfterConnAck_thenClosedWithInternal() {
        tags.replies.hold();
        EmbeddedChannel ch = node.connected("d1");
        tags.replies.fail(new IllegalStateException("redis down"));
        tags.replies.release();

        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.ERROR);
        assertThat(frames.get(0).error().getCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void connect_whenTagsOff_thenNotReadAndReplayDoesNotWait() {
        SessionFixture noTags = new SessionFixture(s -> s.maxTags = 0);
        try {
            noTags.stores.tags.replies.fail(new IllegalStateException("must not be read"));
            noTags.stores.logs.add(SessionFixture.push(20), null);
            assertThat(SessionFixture.pushes(noTags.live("d1"))).containsExactly(20L);
            assertThat(noTags.layer.tags().refresh(session(noTags.live("d2"))).toCompletableFuture().join()).isZero();
        } finally {
            noTags.close();
        }
    }

    @Test
    void refresh_whenTagsChanged_thenIndexHoldsTheNewOnes() {
        tags.tags.put("d1", List.of("vip"));
        Session s = session(node.live("d1"));
        tags.tags.put("d1", List.of("news"));

        assertThat(refresh(s)).isEqualTo(1);
        assertThat(reached("news")).containsExactly("d1");
        assertThat(reached("vip")).isEmpty();
    }

    @Test
    void refresh_whenSessionClosed_thenMinusOne() {
        EmbeddedChannel ch = node.live("d1");
        Session s = session(ch);
        ch.close();
        assertThat(refresh(s)).isEqualTo(-1);
    }

    @Test
    void refresh_whenTagStoreFails_thenFailsUnavailableAndCounted() {
        Session s = session(node.live("d1"));
        tags.replies.fail(new IllegalStateException("redis down"));

        Throwable thrown = catchThrowable(() -> refresh(s));

        assertThat(thrown).isInstanceOf(CompletionException.class).hasCauseInstanceOf(Refusal.class)
                .hasMessageContaining("tag store unavailable: redis down");
        assertThat(new GrpcErrors("conn-node").status(thrown).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(node.metric("longlink_conn_redis_errors_total", "op", "tags")).isEqualTo(1);
    }
}
