package io.longlink.sdk.testing;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.sdk.wire.Frame;
import io.longlink.sdk.wire.FrameReader;
import io.longlink.sdk.wire.FrameWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One accepted client connection of a {@link FakeServer}: a reader thread queues what the client sends. */
public final class FakeConnection implements AutoCloseable {
    /** Frames with the time they arrived (System.nanoTime). */
    public record Received(Frame frame, long atNanos) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final FrameWriter writer = new FrameWriter();
    private final LinkedBlockingQueue<Received> frames = new LinkedBlockingQueue<>(10_000);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final boolean autoPong;

    FakeConnection(Socket socket, boolean autoPong) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.autoPong = autoPong;
        Thread reader = new Thread(this::readLoop, "fake-conn-" + socket.getPort());
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        try {
            FrameReader reader = new FrameReader(new BufferedInputStream(socket.getInputStream()), 1 << 20);
            Frame frame;
            while ((frame = reader.read()) != null) {
                if (autoPong && frame.type() == FrameType.PING) {
                    send(FrameType.PONG, Empty.getDefaultInstance());
                }
                if (!frames.offer(new Received(frame, System.nanoTime()))) {
                    throw new IllegalStateException("test peer queue full");
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or the test closed us: the ended latch tells the test.
        } finally {
            ended.countDown();
        }
    }

    /** The next frame the client sent, failing the test after {@link FakeServer#WAIT}. */
    public Received next() throws InterruptedException {
        Received r = frames.poll(FakeServer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("client sent nothing within " + FakeServer.WAIT);
        }
        return r;
    }

    /** The next frame, which must be of {@code type}; its body. */
    public <T extends Message> T expect(FrameType type, Class<T> body) throws InterruptedException {
        Frame frame = next().frame();
        if (frame.type() != type) {
            throw new AssertionError("expected " + type + " from the client, got " + frame.type() + ": " + frame.body());
        }
        return frame.body(body);
    }

    /** Reads CONNECT and answers CONNACK OK with a long heartbeat (so PINGs stay out of the way). */
    public Connect acceptSession() throws InterruptedException, IOException {
        return acceptSession(ConnAck.newBuilder().setHeartbeatSeconds(300).setHeartbeatMinSeconds(60)
                .setHeartbeatMaxSeconds(600));
    }

    public Connect acceptSession(ConnAck.Builder connAck) throws InterruptedException, IOException {
        Connect connect = expect(FrameType.CONNECT, Connect.class);
        send(FrameType.CONNACK, connAck.setCode(ErrorCode.OK).setSessionId("s-" + socket.getPort())
                .setNodeId("fake-node").setServerTimeMs(System.currentTimeMillis()).build());
        return connect;
    }

    public synchronized void send(FrameType type, Message body) throws IOException {
        writer.write(out, type, body);
    }

    public synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Whether the client closed its end (or the socket failed) within the wait. */
    public boolean awaitEnd() throws InterruptedException {
        return ended.await(FakeServer.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Frames received so far without waiting, for checks after the connection ended. */
    public List<Received> drained() {
        List<Received> list = new ArrayList<>();
        frames.drainTo(list);
        return list;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
