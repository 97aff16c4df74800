package io.longlink.sdk.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocketFactory;

/**
 * A test peer that speaks the device frame format on a random loopback port, one thread per accepted
 * connection. Tests script it: take the next connection, read what the client sent, answer.
 */
public final class FakeServer implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(10);

    private final ServerSocket socket;
    private final Thread acceptor;
    private final LinkedBlockingQueue<FakeConnection> accepted = new LinkedBlockingQueue<>(64);
    private final List<FakeConnection> all = new CopyOnWriteArrayList<>();
    private volatile boolean autoPong;

    private FakeServer(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = new Thread(this::acceptLoop, "fake-server-" + socket.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public static FakeServer start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeServer(s);
    }

    public static FakeServer startTls(SSLServerSocketFactory factory) throws IOException {
        ServerSocket s = factory.createServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeServer(s);
    }

    /** Answer every PING with a PONG on connections accepted from now on. */
    public FakeServer autoPong(boolean on) {
        this.autoPong = on;
        return this;
    }

    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** The next connection the client opened. */
    public FakeConnection nextConnection() throws InterruptedException {
        FakeConnection c = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) {
            throw new AssertionError("no connection to " + address() + " within " + WAIT);
        }
        return c;
    }

    public int connectionCount() {
        return all.size();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                FakeConnection c = new FakeConnection(s, autoPong);
                all.add(c);
                if (!accepted.offer(c)) {
                    c.close();
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (FakeConnection c : all) {
            c.close();
        }
    }
}
