package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.longlink.conn.ConnNode;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Platform;
import io.longlink.proto.device.Push;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/** A tiny blocking device for tests: writes and reads Longlink frames on a plain (or TLS) socket. */
public final class TestDevice implements AutoCloseable {
    public record Frame(int type, byte[] body) {
        public FrameType frameType() {
            return FrameType.forNumber(type);
        }

        public Push push() throws InvalidProtocolBufferException {
            assertThat(frameType()).isEqualTo(FrameType.PUSH);
            return Push.parseFrom(body);
        }

        public Error error() throws InvalidProtocolBufferException {
            assertThat(frameType()).isEqualTo(FrameType.ERROR);
            return Error.parseFrom(body);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private TestDevice(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        socket.setSoTimeout(10_000);
    }

    public static TestDevice connect(InetSocketAddress address) throws IOException {
        return connect(address, 0);
    }

    /** @param receiveBuffer kernel receive buffer (0 = default); small values make a slow reader quickly */
    public static TestDevice connect(InetSocketAddress address, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(address, 5_000);
        return new TestDevice(s);
    }

    /** Connects from {@code local} (another loopback address: a device of another source address). */
    public static TestDevice connectFrom(InetSocketAddress address, InetAddress local) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(local, 0));
        s.connect(address, 5_000);
        return new TestDevice(s);
    }

    public static TestDevice connectTls(InetSocketAddress address, SSLContext tls) throws IOException {
        Socket s = tls.getSocketFactory().createSocket(address.getHostString(), address.getPort());
        return new TestDevice(s);
    }

    public static Connect connectFrame(String app, String device, String token, int heartbeat) {
        return Connect.newBuilder().setProtocolVersion(1).setAppKey(app).setDeviceId(device).setToken(token)
                .setClientVersion("longlink-test/1").setPlatform(Platform.ANDROID).setHeartbeatSeconds(heartbeat)
                .build();
    }

    /** Sends CONNECT and returns the CONNACK (whatever its code). */
    public ConnAck login(Connect connect) throws IOException {
        send(FrameType.CONNECT, connect);
        Frame f = read();
        assertThat(f.frameType()).as("answer to CONNECT").isEqualTo(FrameType.CONNACK);
        return ConnAck.parseFrom(f.body());
    }

    /** Sends CONNECT and expects CONNACK OK. */
    public ConnAck loginOk(Connect connect) throws IOException {
        ConnAck ack = login(connect);
        assertThat(ack.getCode()).as("CONNACK code").isEqualTo(ErrorCode.OK);
        return ack;
    }

    /**
     * CONNECT as {@code device} of {@code app}, expect CONNACK OK, and return once the session is
     * live: its (empty) inbox drain is over when a PONG comes back after it, and {@code node}'s
     * index lists it.
     */
    public ConnAck loginLive(ConnNode node, TestRedis.App app, String device) throws IOException {
        ConnAck ack = loginOk(connectFrame(app.key(), device, app.token(device), 60));
        pingPong();
        await().atMost(Duration.ofSeconds(5)).until(() -> node.sessionIndex().find(app.key(), device) != null);
        return ack;
    }

    public void send(FrameType type, MessageLite body) throws IOException {
        byte[] b = body.toByteArray();
        ByteArrayOutputStream frame = new ByteArrayOutputStream(b.length + 6);
        frame.write(type.getNumber());
        int v = b.length;
        while ((v & ~0x7F) != 0) {
            frame.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        frame.write(v);
        frame.write(b);
        sendRaw(frame.toByteArray());
    }

    public void ping() throws IOException {
        sendRaw(new byte[] {(byte) FrameType.PING_VALUE, 0});
    }

    /** Sends PING and expects PONG as the next frame: the node has handled every frame sent before it. */
    public void pingPong() throws IOException {
        ping();
        assertThat(read().frameType()).as("answer to PING").isEqualTo(FrameType.PONG);
    }

    /** As {@link #pingPong()}, with the PONG due within {@code timeout}. */
    public void pingPong(Duration timeout) throws IOException {
        ping();
        assertThat(read(timeout).frameType()).as("answer to PING").isEqualTo(FrameType.PONG);
    }

    public void ack(long... ids) throws IOException {
        Ack.Builder a = Ack.newBuilder();
        for (long id : ids) {
            a.addMessageIds(id);
        }
        send(FrameType.ACK, a.build());
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one frame; fails on EOF or after {@code timeout}. */
    public Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the server");
        }
        int len = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            len |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[len];
        in.readFully(body);
        return new Frame(type, body);
    }

    public Frame read() throws IOException {
        return read(Duration.ofSeconds(10));
    }

    /** Reads the next {@code n} PUSH frames, skipping PONGs, and returns their message ids in order. */
    public List<Long> readPushIds(int n) throws IOException {
        List<Long> ids = new ArrayList<>();
        while (ids.size() < n) {
            Frame f = read();
            if (f.frameType() != FrameType.PONG) {
                ids.add(f.push().getMessageId());
            }
        }
        return ids;
    }

    /** Reads frames until the server closes; returns them all. */
    public List<Frame> readUntilClosed(Duration timeout) throws IOException {
        List<Frame> frames = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            try {
                frames.add(read(Duration.ofMillis(left)));
            } catch (EOFException e) {
                return frames;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("server did not close within " + timeout + "; frames so far: "
                        + frames.stream().map(Frame::frameType).toList(), e);
            } catch (IOException reset) {
                return frames; // a reset after the last frame also ends the connection
            }
        }
    }

    /** The server's last words: frames before the close, ending with ERROR. Returns the ERROR. */
    public Error expectClosedWithError(Duration timeout) throws IOException {
        List<Frame> frames = readUntilClosed(timeout);
        assertThat(frames).as("frames before close").isNotEmpty();
        Frame last = frames.get(frames.size() - 1);
        assertThat(last.frameType()).as("last frame before close").isEqualTo(FrameType.ERROR);
        return last.error();
    }

    /** True when nothing arrives and the connection stays open for {@code quiet}. */
    public boolean staysOpenAndSilent(Duration quiet) throws IOException {
        socket.setSoTimeout((int) quiet.toMillis());
        try {
            int b = in.read();
            return false; // a byte or EOF arrived
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
