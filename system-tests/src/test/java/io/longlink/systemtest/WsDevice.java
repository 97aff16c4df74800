package io.longlink.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Platform;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A device on a conn-node's web listener through java.net.http's WebSocket client: subprotocol
 * longlink.v1 (binary device frames) or longlink.v1.json (JSON text), recording every message and the close.
 */
final class WsDevice implements AutoCloseable {
    static final String BINARY = "longlink.v1";
    static final String JSON = "longlink.v1.json";

    /** Text messages as received (JSON), or binary messages as "TYPE" names with their bytes in {@link #binary}. */
    final List<String> messages = new CopyOnWriteArrayList<>();
    final List<byte[]> binary = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private volatile WebSocket ws;

    private WsDevice() {
    }

    static WsDevice open(InetSocketAddress web, String subprotocol) throws Exception {
        WsDevice d = new WsDevice();
        d.ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols(subprotocol)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + web.getPort() + "/ws"), d.new Listener())
                .get(10, TimeUnit.SECONDS);
        assertThat(d.ws.getSubprotocol()).isEqualTo(subprotocol);
        return d;
    }

    static String connectJson(String appKey, String deviceId, String token) {
        return "{\"type\":\"CONNECT\",\"protocolVersion\":1,\"appKey\":\"" + appKey + "\",\"deviceId\":\"" + deviceId
                + "\",\"token\":\"" + token + "\",\"platform\":\"WEB\",\"heartbeatSeconds\":60}";
    }

    static byte[] connectFrame(String appKey, String deviceId, String token) {
        return frame(FrameType.CONNECT, Connect.newBuilder().setProtocolVersion(1).setAppKey(appKey)
                .setDeviceId(deviceId).setToken(token).setPlatform(Platform.WEB).setHeartbeatSeconds(60).build()
                .toByteArray());
    }

    static byte[] ackFrame(long... ids) {
        Ack.Builder b = Ack.newBuilder();
        for (long id : ids) {
            b.addMessageIds(id);
        }
        return frame(FrameType.ACK, b.build().toByteArray());
    }

    /** {@code [type][varint length][body]}, as docs/protocol.md frames it. */
    static byte[] frame(FrameType type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type.getNumber());
        int n = body.length;
        while ((n & ~0x7F) != 0) {
            out.write((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        out.write(n);
        out.writeBytes(body);
        return out.toByteArray();
    }

    void sendText(String json) {
        ws.sendText(json, true).join();
    }

    void sendBinary(byte[] frame) {
        ws.sendBinary(ByteBuffer.wrap(frame), true).join();
    }

    /** The close the node sent: "code reason". */
    String awaitClose() throws Exception {
        return closed.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String m = text.toString();
                text.setLength(0);
                messages.add(m);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            bytes.writeBytes(chunk);
            if (last) {
                byte[] m = bytes.toByteArray();
                bytes.reset();
                binary.add(m);
                messages.add(FrameType.forNumber(m[0]).name());
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
