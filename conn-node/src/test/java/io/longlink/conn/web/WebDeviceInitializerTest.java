package io.longlink.conn.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.Ping;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The web listener's pipeline on an EmbeddedChannel, with a recording handler in the session's place. */
class WebDeviceInitializerTest {
    private static final int MAX_FRAME = 256;

    private final List<Object> frames = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();
    private EmbeddedChannel channel;

    @ChannelHandler.Sharable
    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            frames.add(msg);
        }
    }

    private EmbeddedChannel open(List<String> origins) {
        WebOptions options = new WebOptions("/ws", origins, false, MAX_FRAME, -1);
        channel = new EmbeddedChannel(new WebDeviceInitializer(null, new Recorder(), new ChannelInboundHandlerAdapter(),
                options, (ch, code, reason) -> {
                    rejected.add(code + ": " + reason);
                    ch.writeAndFlush(Frames.error(ch.alloc(), code, reason));
                }));
        return channel;
    }

    private String http(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    private static String upgrade(String path, String protocols, String origin) {
        return "GET " + path + " HTTP/1.1\r\nHost: node\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + (protocols == null ? "" : "Sec-WebSocket-Protocol: " + protocols + "\r\n")
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
    }

    private void upgraded(String protocol) {
        open(List.of());
        assertThat(http(upgrade("/ws", "chat, " + protocol, null))).startsWith("HTTP/1.1 101")
                .contains("sec-websocket-protocol: " + protocol);
    }

    /** A client's (masked) frame into the node. */
    private void send(WebSocketFrame frame) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameEncoder(true));
        client.writeOutbound(frame);
        for (ByteBuf b; (b = client.readOutbound()) != null; ) {
            channel.writeInbound(b);
        }
    }

    /** The WebSocket frames the node wrote, as a client decodes them. */
    private List<WebSocketFrame> received() {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 20));
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            client.writeInbound(b);
        }
        List<WebSocketFrame> out = new ArrayList<>();
        for (WebSocketFrame f; (f = client.readInbound()) != null; ) {
            out.add(f);
        }
        return out;
    }

    private static ByteBuf connAckOk() {
        return Frames.encode(Unpooled.buffer().alloc(), FrameType.CONNACK, ConnAck.newBuilder().setSessionId("s").build());
    }

    @Test
    void request_whenOtherPath_thenNotFoundAndClosed() {
        open(List.of());
        assertThat(http("GET /other HTTP/1.1\r\nHost: node\r\n\r\n")).startsWith("HTTP/1.1 404");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void request_whenPlainGetOnWebSocketPath_thenUpgradeRequired() {
        open(List.of());
        assertThat(http("GET /ws HTTP/1.1\r\nHost: node\r\n\r\n")).startsWith("HTTP/1.1 426")
                .contains("upgrade: websocket");
    }

    @Test
    void request_whenPost_thenMethodNotAllowed() {
        open(List.of());
        assertThat(http("POST /ws HTTP/1.1\r\nHost: node\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 405");
    }

    @Test
    void upgrade_whenNoLonglinkSubprotocol_thenBadRequestNamingThem() {
        open(List.of());
        assertThat(http(upgrade("/ws", "chat", null))).startsWith("HTTP/1.1 400").contains("longlink.v1.json");
    }

    @Test
    void upgrade_whenOriginNotAllowed_thenForbidden_andAllowedOriginUpgrades() {
        open(List.of("https://app.example.com"));
        assertThat(http(upgrade("/ws", "longlink.v1", "https://evil.example.com"))).startsWith("HTTP/1.1 403");
        open(List.of("https://app.example.com"));
        assertThat(http(upgrade("/ws", "longlink.v1", "https://APP.example.com"))).startsWith("HTTP/1.1 101");
    }

    @Test
    void upgrade_whenUnsupportedVersion_thenUpgradeRequiredWithVersion13() {
        open(List.of());
        assertThat(http(upgrade("/ws", "longlink.v1", null).replace("Version: 13", "Version: 99")))
                .startsWith("HTTP/1.1 426").contains("sec-websocket-version: 13");
    }

    @Test
    void errorBeforeUpgrade_whenConnectDeadlinePasses_thenHttpTimeoutWithJsonError() {
        open(List.of());
        channel.writeAndFlush(Frames.error(channel.alloc(), ErrorCode.CONNECT_TIMEOUT, "too slow"));
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        assertThat(out.toString()).startsWith("HTTP/1.1 408")
                .endsWith("{\"type\":\"ERROR\",\"code\":\"CONNECT_TIMEOUT\",\"reason\":\"too slow\"}");
    }

    @Test
    void binary_whenOneFramePerMessage_thenDecodedForTheSession_andServerFramesGoOutAsBinaryMessages() {
        upgraded("longlink.v1");
        Connect connect = Connect.newBuilder().setProtocolVersion(1).setAppKey("a").setDeviceId("d").build();
        ByteBuf connectFrame = Unpooled.buffer();
        connectFrame.writeByte(FrameType.CONNECT_VALUE).writeByte(connect.getSerializedSize())
                .writeBytes(connect.toByteArray());

        send(new BinaryWebSocketFrame(connectFrame));
        ByteBuf push = Frames.encode(channel.alloc(), FrameType.PUSH, Push.newBuilder().setMessageId(9).build());
        byte[] pushBytes = ByteBufUtil.getBytes(push);
        channel.writeAndFlush(push);

        assertThat(frames).containsExactly(connect);
        List<WebSocketFrame> out = received();
        assertThat(out).hasSize(1).first().isInstanceOf(BinaryWebSocketFrame.class);
        assertThat(ByteBufUtil.getBytes(out.get(0).content())).isEqualTo(pushBytes);
    }

    @Test
    void binary_whenTwoFramesInOneMessage_thenMalformedFrame() {
        upgraded("longlink.v1");
        send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {3, 0, 3, 0})));
        assertThat(frames).isEmpty();
        assertThat(rejected).containsExactly("MALFORMED_FRAME: a message must carry exactly one whole frame");
    }

    @Test
    void binary_whenMessageOverLimit_thenFrameTooLargeAndCloseFrame4003() {
        upgraded("longlink.v1");
        send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[MAX_FRAME + 7])));
        assertThat(rejected).singleElement().asString().startsWith("FRAME_TOO_LARGE");
        List<WebSocketFrame> out = received();
        assertThat(out).last().isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) out.get(out.size() - 1)).statusCode()).isEqualTo(4003);
    }

    @Test
    void json_whenTextMessages_thenFramesForTheSession_andErrorThenCloseFrameWithCode() {
        upgraded("longlink.v1.json");
        send(new TextWebSocketFrame("{\"type\":\"ACK\",\"messageIds\":[\"5\"]}"));
        channel.writeAndFlush(Frames.error(channel.alloc(), ErrorCode.KICKED, "another login took over"));

        assertThat(frames).containsExactly(Ack.newBuilder().addMessageIds(5).build());
        List<WebSocketFrame> out = received();
        assertThat(out).hasSize(2);
        assertThat(((TextWebSocketFrame) out.get(0)).text())
                .isEqualTo("{\"type\":\"ERROR\",\"code\":\"KICKED\",\"reason\":\"another login took over\"}");
        CloseWebSocketFrame close = (CloseWebSocketFrame) out.get(1);
        assertThat(close.statusCode()).isEqualTo(4014);
        assertThat(close.reasonText()).isEqualTo("another login took over");
    }

    @Test
    void json_whenBinaryMessage_thenMalformedFrame() {
        upgraded("longlink.v1.json");
        send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {3, 0})));
        assertThat(rejected).singleElement().asString().startsWith("MALFORMED_FRAME: binary message");
    }

    @Test
    void ping_beforeConnack_thenPongOnly_afterConnack_thenPingForSessionAndItsPongDropped() {
        upgraded("longlink.v1");
        send(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2})));
        assertThat(frames).isEmpty();
        assertThat(received()).singleElement().isInstanceOf(PongWebSocketFrame.class)
                .extracting(f -> ByteBufUtil.getBytes(f.content())).isEqualTo(new byte[] {1, 2});

        channel.writeAndFlush(connAckOk());
        received();
        send(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER));
        channel.writeAndFlush(Frames.PONG.duplicate()); // the session's answer to that PING
        channel.writeAndFlush(Frames.PONG.duplicate()); // an answer to a PING message of the client

        assertThat(frames).containsExactly(Ping.INSTANCE);
        assertThat(received()).extracting(Object::getClass).containsExactly(PongWebSocketFrame.class,
                BinaryWebSocketFrame.class);
    }

    @Test
    void close_whenConnected_thenDisconnectForSessionAndCloseEchoed() {
        upgraded("longlink.v1.json");
        channel.writeAndFlush(connAckOk());
        received();
        send(new CloseWebSocketFrame(1000, "bye"));

        assertThat(frames).containsExactly(Disconnect.newBuilder().setReason("bye").build());
        assertThat(received()).singleElement().isInstanceOf(CloseWebSocketFrame.class)
                .extracting(f -> ((CloseWebSocketFrame) f).statusCode()).isEqualTo(1000);
        assertThat(Objects.requireNonNull(channel).isOpen()).isTrue(); // the session closes it
    }

    @Test
    void closeReason_whenLongerThan123Bytes_thenCutOnACharacterBoundary() {
        String reason = "é".repeat(100);
        assertThat(WebSocketAdapter.closeReason(reason)).hasSize(61);
    }
}
