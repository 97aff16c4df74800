package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.longlink.proto.device.FrameType;
import io.longlink.sdk.heartbeat.AdaptiveHeartbeat;
import io.longlink.sdk.reconnect.HostPort;
import io.longlink.sdk.wire.FrameReader;
import io.longlink.sdk.wire.FrameWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One socket to one server. The I/O thread opens it and reads; the scheduler and the app may write
 * and close it. The first recorded {@link Ending} wins, so the I/O thread reports why the socket was
 * closed rather than the exception the close caused.
 */
final class Connection {
    private final HostPort server;
    private final AtomicReference<Ending> cause = new AtomicReference<>();
    private final AtomicBoolean goodbyeSent = new AtomicBoolean();
    // guards writer and out: frames from the I/O thread, the scheduler and close() must not interleave
    private final Object writeLock = new Object();
    private final FrameWriter writer = new FrameWriter();
    private OutputStream out;
    // guarded by this: close() may run while open() is still connecting
    private Socket socket;
    private boolean closed;

    private FrameReader reader;
    // guarded by this: the timer and the I/O thread both reschedule the one pending heartbeat tick
    private ScheduledFuture<?> heartbeatTask;
    private volatile long connectedAtMillis = -1;
    private volatile AdaptiveHeartbeat.Session heartbeat;

    Connection(HostPort server) {
        this.server = requireNonNull(server, "server");
    }

    HostPort server() {
        return server;
    }

    /** Connects (and shakes hands for TLS); reads then time out after {@code timeoutMillis}. */
    void open(int timeoutMillis, SSLSocketFactory ssl, int maxFrameSize) throws IOException {
        Socket raw = new Socket();
        register(raw);
        raw.connect(new InetSocketAddress(server.host(), server.port()), timeoutMillis);
        raw.setTcpNoDelay(true);
        raw.setSoTimeout(timeoutMillis);
        Socket active = raw;
        if (ssl != null) {
            SSLSocket tls = (SSLSocket) ssl.createSocket(raw, server.host(), server.port(), true);
            SSLParameters params = tls.getSSLParameters();
            // Check the certificate names this host: a trusted certificate for another name is not enough.
            params.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(params);
            register(tls);
            tls.startHandshake();
            active = tls;
        }
        reader = new FrameReader(new BufferedInputStream(active.getInputStream(), 8192), maxFrameSize);
        synchronized (writeLock) {
            out = active.getOutputStream();
        }
    }

    private synchronized void register(Socket s) throws SocketException {
        if (closed) {
            closeQuietly(s);
            throw new SocketException("connection closed while opening");
        }
        socket = s;
    }

    FrameReader reader() {
        return reader;
    }

    void setReadTimeout(int millis) throws SocketException {
        Socket s;
        synchronized (this) {
            s = socket;
        }
        s.setSoTimeout(millis);
    }

    void send(FrameType type, Message body) throws IOException {
        synchronized (writeLock) {
            if (out == null) {
                throw new SocketException("not connected");
            }
            writer.write(out, type, body);
        }
    }

    /** Sends, or on failure closes the connection as lost and returns false. */
    boolean trySend(FrameType type, Message body) {
        try {
            send(type, body);
            return true;
        } catch (IOException e) {
            close(Ending.retry(DisconnectCode.NETWORK, "write failed: " + describe(e)));
            return false;
        }
    }

    /** Records why the connection ends (first caller wins) and closes the socket, unblocking the reader. */
    void close(Ending why) {
        cause.compareAndSet(null, requireNonNull(why, "why"));
        Socket s;
        synchronized (this) {
            closed = true;
            s = socket;
            if (heartbeatTask != null) {
                heartbeatTask.cancel(false);
            }
        }
        if (s != null) {
            closeQuietly(s);
        }
    }

    /** Cancels the pending heartbeat tick and installs the one {@code schedule} creates (unless closed). */
    void replaceHeartbeatTask(Supplier<ScheduledFuture<?>> schedule) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (heartbeatTask != null) {
                heartbeatTask.cancel(false);
            }
            heartbeatTask = schedule.get();
        }
    }

    /** True for the one caller that may send the final ACK and DISCONNECT. */
    boolean claimGoodbye() {
        return goodbyeSent.compareAndSet(false, true);
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** The recorded reason, or {@code fallback} when nothing closed the connection on purpose. */
    Ending causeOr(Ending fallback) {
        Ending recorded = cause.get();
        return recorded != null ? recorded : fallback;
    }

    void connected(long nowMillis, AdaptiveHeartbeat.Session session) {
        heartbeat = session;
        connectedAtMillis = nowMillis;
    }

    boolean wasConnected() {
        return connectedAtMillis >= 0;
    }

    long connectedAtMillis() {
        return connectedAtMillis;
    }

    AdaptiveHeartbeat.Session heartbeat() {
        return heartbeat;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isEmpty() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + message;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is best effort; the socket is unusable either way.
        }
    }
}
