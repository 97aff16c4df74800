package io.longlink.conn.session;

import static io.longlink.conn.session.SessionFixture.connect;
import static io.longlink.conn.session.SessionFixture.frames;
import static io.longlink.conn.session.SessionFixture.next;
import static io.longlink.conn.session.SessionFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.conn.codec.Ping;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class DeviceHandlerTest {
    @AutoClose
    private final SessionFixture node = new SessionFixture();

    private void assertClosedWith(EmbeddedChannel ch, ErrorCode code) {
        List<SessionFixture.Frame> frames = frames(ch);
        assertThat(frames).extracting(SessionFixture.Frame::type).containsExactly(FrameType.ERROR);
        assertThat(frames.get(0).error().getCode()).isEqualTo(code);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void channelActive_thenSessionAwaitingConnectAndSocketCountedUntilClosed() {
        EmbeddedChannel a = node.open();
        EmbeddedChannel b = node.open();
        assertThat(session(a).state()).isEqualTo(Session.AWAITING_CONNECT);
        assertThat(node.layer.sockets()).isEqualTo(2);
        a.close();
        assertThat(node.layer.sockets()).isEqualTo(1);
        assertThat(session(a)).isNull();
        b.close();
        assertThat(node.layer.sockets()).isZero();
    }

    @Test
    void ping_whenConnected_thenPongAndCounted() {
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(Ping.INSTANCE);
        assertThat(next(ch).type()).isEqualTo(FrameType.PONG);
        assertThat(node.metric("longlink_conn_frames_in_total", "type", "PING")).isEqualTo(1);
        assertThat(node.metric("longlink_conn_frames_out_total", "type", "PONG")).isEqualTo(1);
    }

    @Test
    void ping_beforeConnAck_thenNotConnected() {
        EmbeddedChannel ch = node.open();
        ch.writeInbound(Ping.INSTANCE);
        assertClosedWith(ch, ErrorCode.NOT_CONNECTED);
    }

    @Test
    void ack_beforeConnAck_thenNotConnectedAndNothingRemoved() {
        node.stores.apps.replies.hold();
        EmbeddedChannel ch = node.connecting("d1");
        ch.writeInbound(Ack.newBuilder().addMessageIds(1).build());
        assertClosedWith(ch, ErrorCode.NOT_CONNECTED);
        assertThat(node.stores.inboxes.acked).isEmpty();
    }

    @Test
    void connect_whenAlreadySent_thenAlreadyConnected() {
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(connect("d1"));
        assertClosedWith(ch, ErrorCode.ALREADY_CONNECTED);
        assertThat(node.metric("longlink_conn_connects_total")).isEqualTo(1);
    }

    @Test
    void disconnect_whenConnected_thenClosedWithoutAFrame() {
        EmbeddedChannel ch = node.live("d1");
        ch.writeInbound(Disconnect.newBuilder().setReason("bye").build());
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.outboundMessages()).isEmpty();
        assertThat(node.index.find(SessionFixture.APP, "d1")).isNull();
    }

    @Test
    void read_afterTheServerStartedClosing_thenIgnored() {
        EmbeddedChannel ch = node.live("d1");
        session(ch).flags |= Session.F_CLOSING;
        ch.writeInbound(Ping.INSTANCE);
        assertThat(ch.outboundMessages()).isEmpty();
    }

    @Test
    void read_whenNotADeviceFrame_thenIllegalArgument() {
        EmbeddedChannel ch = node.open();
        assertThatThrownBy(() -> ch.writeInbound("text")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String");
    }
}
