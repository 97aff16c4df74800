package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Platform;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.longlink.sdk.delivery.AckBatcher;
import io.longlink.sdk.delivery.MessageDeduplicator;
import io.longlink.sdk.heartbeat.AdaptiveHeartbeat;
import io.longlink.sdk.reconnect.Backoff;
import io.longlink.sdk.reconnect.HostPort;
import io.longlink.sdk.reconnect.Reaction;
import io.longlink.sdk.reconnect.ServerList;
import io.longlink.sdk.wire.Frame;
import io.longlink.sdk.wire.FrameException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/**
 * A device's connection to Longlink: connects, authenticates, receives pushes, acknowledges them,
 * heartbeats and reconnects until closed.
 *
 * <p>Threads: one I/O thread per client does blocking connects and reads and runs every
 * {@link Listener} callback; one timer thread sends PINGs and batched ACKs and starts reconnects.
 * Both are daemon threads; {@link #close()} stops them. All public methods are thread-safe.
 *
 * <pre>
 * LonglinkClient client = LonglinkClient.builder()
 *         .servers("push.example.com:7000")
 *         .serverSupplier(backend::fetchConnNodes)
 *         .appKey("demo").deviceId("device-1")
 *         .tokenSupplier(backend::fetchDeviceToken)
 *         .listener(myListener)
 *         .build();
 * client.start();
 * </pre>
 */
public final class LonglinkClient implements AutoCloseable {
    static final int PROTOCOL_VERSION = 1;
    public static final String DEFAULT_CLIENT_VERSION = "longlink-java/0.1.0";
    private static final Logger LOG = Logger.getLogger(LonglinkClient.class.getName());
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final int HEARTBEAT_MEMORY = 32;
    private static final long MAX_REDIRECT_DELAY_MILLIS = TimeUnit.HOURS.toMillis(1);
    // Wait before trying the next server after one was unreachable: spreads a dead node's devices
    // over the others without the backoff's seconds.
    private static final long FAILOVER_JITTER_MILLIS = 100;
    // How long the frames a full or rate-limiting server sends after its refusal are waited for.
    private static final int REFUSAL_TAIL_MILLIS = 500;

    private final String appKey;
    private final String deviceId;
    private final Platform platform;
    private final String clientVersion;
    private final SSLSocketFactory ssl;
    private final int connectTimeoutMillis;
    private final int maxFrameSize;
    private final long stableAfterMillis;
    private final boolean reconnectOnKick;
    private final long pongTimeoutMillis;
    private final long ackWindowMillis;
    private final long closeTimeoutMillis;

    private final ListenerGuard listener;
    private final AdaptiveHeartbeat heartbeat;
    private final AckBatcher acks;
    private final ThreadPoolExecutor ioPool;
    private final ScheduledThreadPoolExecutor timer;
    private volatile Thread ioThread;

    // Owned by the I/O thread.
    private final ServerList servers;
    private final Backoff backoff;
    private final TokenSource tokens;
    private final ServerSource serverSource;
    private final MessageDeduplicator dedup;
    private boolean refreshTokenNext;
    private boolean tokenRefreshed;
    private boolean roundStartsNext = true;
    private long serverClockOffsetMillis;

    // guards state, connection, session, reconnect and closed; waited on by awaitConnected
    private final Object lock = new Object();
    private ClientState state = ClientState.NEW;
    private Connection connection;
    private SessionInfo session;
    private ScheduledFuture<?> reconnect;
    private boolean closed;
    // closed, readable without the lock by the I/O thread between frames
    private volatile boolean closeRequested;
    // Held while a PUSH is delivered and its id queued for ACK, so close() acknowledges every
    // message whose onMessage has returned before it says goodbye.
    private final ReentrantLock deliveryLock = new ReentrantLock();

    private LonglinkClient(Builder b) {
        this.appKey = b.appKey;
        this.deviceId = b.deviceId;
        this.platform = b.platform;
        this.clientVersion = b.clientVersion;
        this.ssl = b.ssl;
        this.connectTimeoutMillis = (int) b.connectTimeout.toMillis();
        this.maxFrameSize = b.maxFrameSize;
        this.stableAfterMillis = b.stableAfter.toMillis();
        this.reconnectOnKick = b.reconnectOnKick;
        this.pongTimeoutMillis = b.pongTimeout.toMillis();
        this.ackWindowMillis = b.ackWindow.toMillis();
        this.closeTimeoutMillis = b.connectTimeout.toMillis();
        this.listener = new ListenerGuard(b.listener);
        this.heartbeat = new AdaptiveHeartbeat(b.heartbeatProbeAfter, b.heartbeatStepSeconds, pongTimeoutMillis,
                HEARTBEAT_MEMORY);
        this.heartbeat.setNetworkKey(b.networkKey);
        this.acks = new AckBatcher(b.ackBatchSize);
        this.servers = new ServerList(b.servers);
        this.backoff = new Backoff(b.backoffBase.toMillis(), b.backoffCap.toMillis(), b.random);
        this.tokens = new TokenSource(b.token, b.tokenSupplier);
        this.serverSource = b.serverSupplier == null ? null
                : new ServerSource(b.serverSupplier, "longlink-servers-" + deviceId, listener::onError);
        this.dedup = new MessageDeduplicator(b.dedupCapacity, b.lastMessageId);
        // At most one connection task is ever queued: the next is scheduled only when one ends.
        this.ioPool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(4),
                threads("longlink-io-" + deviceId, true));
        // The timer's queue holds at most one heartbeat tick (replaced, not added), one ACK flush
        // (AckBatcher schedules one per window) and one reconnect.
        this.timer = new ScheduledThreadPoolExecutor(1, threads("longlink-timer-" + deviceId, false));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts connecting in the background. */
    public void start() {
        synchronized (lock) {
            if (state != ClientState.NEW) {
                throw new IllegalStateException("start(): client is " + state + " (expected NEW)");
            }
            setState(ClientState.CONNECTING);
        }
        ioPool.execute(this::runConnection);
    }

    /** Waits until a session is up; false on timeout or when the client stopped or closed. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (state != ClientState.CONNECTED) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (state.isTerminal() || left <= 0) {
                    return false;
                }
                lock.wait(left);
            }
            return true;
        }
    }

    /**
     * Acknowledges every delivered message, says goodbye to the server (DISCONNECT) and stops both
     * threads. Waits up to the connect timeout for the I/O thread. Called from a callback, it returns
     * at once and the I/O thread says goodbye when the callback returns.
     */
    @Override
    public void close() {
        Connection conn;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closeRequested = true;
            conn = connection;
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            if (conn == null) {
                // Nothing in flight: no I/O thread will report the end.
                setState(ClientState.CLOSED);
            }
        }
        if (serverSource != null) {
            serverSource.close();
        }
        boolean onIoThread = Thread.currentThread() == ioThread;
        if (conn != null && !onIoThread) {
            goodbye(conn);
            conn.close(Ending.closed());
        }
        timer.shutdownNow();
        ioPool.shutdown();
        if (!onIoThread) {
            try {
                if (!ioPool.awaitTermination(closeTimeoutMillis, TimeUnit.MILLISECONDS)) {
                    LOG.warning("I/O thread still busy " + closeTimeoutMillis + " ms after close()");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Flushes ACKs and sends DISCONNECT once no delivery is half done (bounded wait). */
    private void goodbye(Connection conn) {
        boolean locked = false;
        try {
            locked = deliveryLock.tryLock(closeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (conn.wasConnected() && !conn.isClosed() && conn.claimGoodbye()) {
                flushAcks(conn);
                conn.trySend(FrameType.DISCONNECT,
                        io.longlink.proto.device.Disconnect.newBuilder().setReason("client closed").build());
            }
        } finally {
            if (locked) {
                deliveryLock.unlock();
            }
        }
    }

    public ClientState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** The current session, if connected. */
    public Optional<SessionInfo> session() {
        synchronized (lock) {
            return Optional.ofNullable(session);
        }
    }

    /** Highest message id seen (unsigned); persist it and pass it to {@link Builder#lastMessageId} next time. */
    public long lastMessageId() {
        return dedup.highest();
    }

    /** Names the network the device is on (e.g. Wi-Fi SSID, carrier); applies from the next connection. */
    public void setNetworkKey(String networkKey) {
        heartbeat.setNetworkKey(requireNonNull(networkKey, "networkKey"));
    }

    public String networkKey() {
        return heartbeat.networkKey();
    }

    /** The heartbeat interval learned on a network, or 0 when none yet. */
    public int learnedHeartbeatSeconds(String networkKey) {
        return heartbeat.learnedSeconds(networkKey);
    }

    /** Restores a learned heartbeat interval the app persisted earlier. */
    public void setLearnedHeartbeatSeconds(String networkKey, int seconds) {
        heartbeat.putLearnedSeconds(networkKey, seconds);
    }

    /** Every learned heartbeat interval by network key, for the app to persist. */
    public Map<String, Integer> learnedHeartbeats() {
        return heartbeat.learnedSnapshot();
    }

    // ---- I/O thread ----

    private void runConnection() {
        if (roundStartsNext) {
            roundStartsNext = false;
            if (serverSource != null) {
                servers.use(serverSource.fetch(connectTimeoutMillis));
            }
            servers.newRound();
        }
        HostPort server = servers.current();
        Connection conn = new Connection(server);
        synchronized (lock) {
            if (closed) {
                return;
            }
            connection = conn;
            reconnect = null;
            setState(ClientState.CONNECTING);
        }
        Ending ending;
        try {
            ending = connectAndServe(conn);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unexpected failure on connection to " + server, e);
            ending = conn.causeOr(Ending.retry(DisconnectCode.NETWORK, "client failure: " + Connection.describe(e)));
        }
        conn.close(ending);
        afterConnection(conn, ending);
    }

    private Ending connectAndServe(Connection conn) {
        String token;
        try {
            token = tokens.get(refreshTokenNext);
            refreshTokenNext = false;
        } catch (RuntimeException e) {
            return Ending.retry(DisconnectCode.TOKEN_UNAVAILABLE, "token supplier failed: " + Connection.describe(e));
        }
        try {
            conn.open(connectTimeoutMillis, ssl, maxFrameSize);
            conn.send(FrameType.CONNECT, Connect.newBuilder()
                    .setProtocolVersion(PROTOCOL_VERSION)
                    .setAppKey(appKey)
                    .setDeviceId(deviceId)
                    .setToken(token)
                    .setClientVersion(clientVersion)
                    .setPlatform(platform)
                    .setHeartbeatSeconds(heartbeat.wishSeconds())
                    .setLastMessageId(dedup.highest())
                    .build());
        } catch (IOException e) {
            return conn.causeOr(Ending.retry(DisconnectCode.NETWORK,
                    "connect to " + conn.server() + " failed: " + Connection.describe(e)));
        }
        Frame first;
        try {
            first = conn.reader().read();
        } catch (SocketTimeoutException e) {
            return conn.causeOr(Ending.retry(DisconnectCode.NETWORK,
                    "no CONNACK from " + conn.server() + " within " + connectTimeoutMillis + " ms"));
        } catch (IOException e) {
            return readFailure(conn, e);
        }
        if (first == null) {
            return conn.causeOr(Ending.retry(DisconnectCode.NETWORK, conn.server() + " closed before CONNACK"));
        }
        if (first.type() != FrameType.CONNACK) {
            Ending ending = endingFrame(conn, first);
            return ending != null ? ending : protocolError(conn,
                    new FrameException(ErrorCode.MALFORMED_FRAME, "expected CONNACK, got " + first.type()));
        }
        ConnAck ack = first.body(ConnAck.class);
        if (ack.getCode() != ErrorCode.OK) {
            Ending refusal = rejected(ack.getCode(), ack.getReason());
            if (!RefusalTail.hinted(ack.getCode())) {
                return refusal;
            }
            // a full node says in the REDIRECT that follows when it takes devices again
            RefusalTail tail = RefusalTail.read(conn, REFUSAL_TAIL_MILLIS, 0, MAX_REDIRECT_DELAY_MILLIS);
            return refusal.withRetryAfter(tail.retryAfterMillis());
        }
        return serve(conn, ack);
    }

    private Ending serve(Connection conn, ConnAck ack) {
        long now = monotonicMillis();
        AdaptiveHeartbeat.Session beat = heartbeat.start(now, ack.getHeartbeatSeconds(),
                ack.getHeartbeatMinSeconds(), ack.getHeartbeatMaxSeconds());
        SessionInfo info = new SessionInfo(conn.server().toString(), ack.getSessionId(), ack.getNodeId(),
                beat.currentSeconds(), ack.getHeartbeatMinSeconds(), ack.getHeartbeatMaxSeconds(),
                ack.getServerTimeMs());
        serverClockOffsetMillis = ack.getServerTimeMs() > 0 ? ack.getServerTimeMs() - System.currentTimeMillis() : 0;
        try {
            // Safety net under the PONG check: a PONG or other frame is due at least every max interval.
            long quiet = (beat.maxSeconds() * 1000L + pongTimeoutMillis) * 2;
            conn.setReadTimeout((int) Math.min(Integer.MAX_VALUE, quiet));
        } catch (IOException e) {
            beat.end();
            return conn.causeOr(Ending.retry(DisconnectCode.NETWORK, "socket failed: " + Connection.describe(e)));
        }
        conn.connected(now, beat);
        synchronized (lock) {
            if (closed) {
                beat.end();
                return Ending.closed();
            }
            session = info;
            setState(ClientState.CONNECTED);
        }
        tokenRefreshed = false;
        scheduleHeartbeat(conn, now);
        flushAcks(conn);
        listener.onConnected(info);
        return readLoop(conn);
    }

    private Ending readLoop(Connection conn) {
        while (true) {
            if (closeRequested) {
                // close() was called from a callback on this thread: the goodbye is ours to send.
                goodbye(conn);
                return Ending.closed();
            }
            Frame frame;
            try {
                frame = conn.reader().read();
            } catch (IOException e) {
                return readFailure(conn, e);
            }
            if (frame == null) {
                return conn.causeOr(Ending.retry(DisconnectCode.NETWORK, "server closed the connection without a reason"));
            }
            switch (frame.type()) {
                case PUSH -> onPush(conn, frame.body(Push.class));
                case PONG -> {
                    long now = monotonicMillis();
                    conn.heartbeat().onPong(now);
                    // The pending tick waits for the PONG deadline; the next PING is due sooner.
                    scheduleHeartbeat(conn, now);
                }
                default -> {
                    Ending ending = endingFrame(conn, frame);
                    return ending != null ? ending : protocolError(conn, new FrameException(
                            ErrorCode.MALFORMED_FRAME, "unexpected " + frame.type() + " frame from the server"));
                }
            }
        }
    }

    /** The Ending a KICK, REDIRECT or ERROR frame asks for; null for any other frame. */
    private Ending endingFrame(Connection conn, Frame frame) {
        switch (frame.type()) {
            case KICK -> {
                String reason = frame.body(Kick.class).getReason();
                listener.onKicked(reason);
                return Ending.of(DisconnectCode.KICKED, ErrorCode.KICKED, reason.isEmpty() ? "kicked" : reason,
                        reconnectOnKick ? Ending.Next.RETRY : Ending.Next.STOP);
            }
            case REDIRECT -> {
                Redirect redirect = frame.body(Redirect.class);
                Ending redirected = redirected(redirect);
                if (redirect.getAddressesCount() > 0) {
                    return redirected;
                }
                // no address: maybe a refusal (node full, too fast) whose ERROR follows
                RefusalTail tail = RefusalTail.read(conn, REFUSAL_TAIL_MILLIS, redirected.retryAfterMillis(),
                        MAX_REDIRECT_DELAY_MILLIS);
                return RefusalTail.hinted(tail.code())
                        ? rejected(tail.code(), tail.reason()).withRetryAfter(tail.retryAfterMillis()) : redirected;
            }
            case ERROR -> {
                io.longlink.proto.device.Error error = frame.body(io.longlink.proto.device.Error.class);
                return rejected(error.getCode(), error.getReason());
            }
            default -> {
                return null;
            }
        }
    }

    private Ending rejected(ErrorCode code, String reason) {
        String text = code + (reason.isEmpty() ? "" : ": " + reason);
        if (code == ErrorCode.KICKED) {
            listener.onKicked(reason);
            return Ending.of(DisconnectCode.KICKED, code, text, reconnectOnKick ? Ending.Next.RETRY : Ending.Next.STOP);
        }
        return switch (Reaction.to(code)) {
            case RETRY -> Ending.of(DisconnectCode.REJECTED, code, text, Ending.Next.RETRY);
            case STOP -> Ending.of(DisconnectCode.REJECTED, code, text, Ending.Next.STOP);
            case REFRESH_TOKEN -> tokens.canRefresh() && !tokenRefreshed
                    ? Ending.of(DisconnectCode.REJECTED, code, text, Ending.Next.REFRESH_TOKEN)
                    : Ending.of(DisconnectCode.REJECTED, code,
                            text + (tokens.canRefresh() ? " (refused again after a token refresh)"
                                    : " (no token supplier to refresh it)"), Ending.Next.STOP);
        };
    }

    private Ending redirected(Redirect redirect) {
        List<HostPort> targets = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (String address : redirect.getAddressesList()) {
            if (targets.size() == ServerList.MAX_REDIRECT_ADDRESSES) {
                break;
            }
            try {
                HostPort target = HostPort.parse(address);
                targets.add(target);
                shown.add(target.toString());
            } catch (IllegalArgumentException e) {
                listener.onError(new FrameException(ErrorCode.MALFORMED_FRAME,
                        "REDIRECT address ignored: " + e.getMessage(), e));
            }
        }
        // A bad value must not park the device for weeks (the field allows up to 49 days).
        long after = Math.min(Integer.toUnsignedLong(redirect.getRetryAfterMs()), MAX_REDIRECT_DELAY_MILLIS);
        listener.onRedirect(List.copyOf(shown), after, redirect.getReason());
        String reason = "redirected to " + (shown.isEmpty() ? "the configured servers" : String.join(",", shown))
                + (redirect.getReason().isEmpty() ? "" : ": " + redirect.getReason());
        return Ending.redirect(targets, after, reason);
    }

    private Ending readFailure(Connection conn, IOException e) {
        if (e instanceof FrameException fe) {
            return conn.causeOr(protocolError(conn, fe));
        }
        if (e instanceof SocketTimeoutException) {
            return conn.causeOr(Ending.retry(DisconnectCode.HEARTBEAT_TIMEOUT, "nothing read from the server for too long"));
        }
        return conn.causeOr(Ending.retry(DisconnectCode.NETWORK, "connection lost: " + Connection.describe(e)));
    }

    /** Tells the server why we leave (best effort), so its logs show the fault, then reconnects. */
    private Ending protocolError(Connection conn, FrameException e) {
        conn.trySend(FrameType.DISCONNECT, io.longlink.proto.device.Disconnect.newBuilder()
                .setReason("client: " + e.code() + ": " + e.getMessage()).build());
        return Ending.of(DisconnectCode.PROTOCOL_ERROR, ErrorCode.OK, e.code() + ": " + e.getMessage(),
                Ending.Next.RETRY);
    }

    private void onPush(Connection conn, Push push) {
        long id = push.getMessageId();
        if (id == 0) {
            listener.onError(new FrameException(ErrorCode.MALFORMED_FRAME, "PUSH without a message id ignored"));
            return;
        }
        deliveryLock.lock();
        try {
            if (dedup.firstSeen(id)) {
                if (isExpired(push)) {
                    LOG.fine(() -> "message " + Long.toUnsignedString(id) + " arrived after its expiry; not delivered");
                } else {
                    listener.onMessage(PushMessage.from(push));
                }
            }
            // Duplicates are acknowledged too: the server resent them because it missed our ACK.
            switch (acks.add(id)) {
                case FLUSH_NOW -> flushAcks(conn);
                case SCHEDULE_FLUSH -> schedule(this::scheduledAckFlush, ackWindowMillis);
                case NOTHING -> {
                }
            }
        } finally {
            deliveryLock.unlock();
        }
    }

    private boolean isExpired(Push push) {
        long expiresAt = push.getExpiresAtMs();
        return expiresAt > 0 && expiresAt <= System.currentTimeMillis() + serverClockOffsetMillis;
    }

    private void afterConnection(Connection conn, Ending ending) {
        AdaptiveHeartbeat.Session beat = conn.heartbeat();
        if (beat != null) {
            if (ending.code() == DisconnectCode.NETWORK || ending.code() == DisconnectCode.HEARTBEAT_TIMEOUT) {
                beat.onConnectionLost();
            } else {
                beat.end();
            }
        }
        if (conn.wasConnected() && monotonicMillis() - conn.connectedAtMillis() >= stableAfterMillis) {
            backoff.reset();
        }
        boolean failOver = false;
        long now = monotonicMillis();
        if (ending.next() == Ending.Next.RETRY && ending.retryAfterMillis() > 0) {
            // the server said when it takes this device again: not before then (other servers meanwhile)
            servers.rest(conn.server(), now + ending.retryAfterMillis(), now);
        }
        if (!conn.wasConnected() || ending.code() == DisconnectCode.PROTOCOL_ERROR) {
            boolean roundFailed = servers.failed();
            failOver = !roundFailed && unreachable(conn, ending);
        }
        // Only a wait that is not a fail-over hop ends the round: the backoff grows once per round.
        roundStartsNext = !failOver;
        long delay = -1;
        switch (ending.next()) {
            case RETRY -> delay = Math.max(servers.restMillis(now), failOver
                    ? backoff.jitterMillis(Math.min(FAILOVER_JITTER_MILLIS, backoff.baseMillis()))
                    : backoff.nextDelayMillis());
            case REFRESH_TOKEN -> {
                delay = 0;
                refreshTokenNext = true;
                tokenRefreshed = true;
            }
            case REDIRECT -> {
                servers.redirect(ending.redirect());
                // Jitter spreads the devices a draining node sends away at the same moment.
                delay = ending.retryAfterMillis() + backoff.jitterMillis(backoff.baseMillis());
            }
            case STOP -> {
            }
        }
        boolean willRetry;
        boolean closing;
        synchronized (lock) {
            connection = null;
            session = null;
            closing = closed;
            willRetry = !closing && delay >= 0 && scheduleReconnect(delay);
        }
        DisconnectCode code = closing ? DisconnectCode.CLOSED : ending.code();
        listener.onDisconnected(new Disconnect(code, ending.serverCode(), ending.reason(), willRetry,
                willRetry ? delay : -1));
        if (!willRetry) {
            // Terminal states become visible only after the listener heard why.
            synchronized (lock) {
                setState(closed ? ClientState.CLOSED : ClientState.STOPPED);
            }
            // Stopped for good: free the threads; the app may still call close().
            timer.shutdownNow();
            ioPool.shutdown();
            if (serverSource != null) {
                serverSource.close();
            }
        }
    }

    /** The server could not take the device (refused, timed out, closed, draining, full): another one may. */
    private static boolean unreachable(Connection conn, Ending ending) {
        return !conn.wasConnected() && ending.next() == Ending.Next.RETRY
                && (ending.code() == DisconnectCode.NETWORK || ending.serverCode() == ErrorCode.SERVER_DRAINING
                || ending.serverCode() == ErrorCode.NODE_FULL);
    }

    // ---- timer thread ----

    /** Called with lock held. */
    private boolean scheduleReconnect(long delayMillis) {
        try {
            reconnect = timer.schedule(() -> {
                try {
                    ioPool.execute(this::runConnection);
                } catch (RejectedExecutionException e) {
                    LOG.fine("reconnect skipped: client closing");
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
            setState(ClientState.WAITING);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Replaces the connection's pending heartbeat tick with one at the heartbeat's next deadline. */
    private void scheduleHeartbeat(Connection conn, long nowMillis) {
        long delay = Math.max(0, conn.heartbeat().nextDeadlineMillis() - nowMillis);
        try {
            conn.replaceHeartbeatTask(() -> timer.schedule(() -> heartbeatTick(conn), delay, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException e) {
            LOG.fine("heartbeat skipped: client closing");
        }
    }

    private void heartbeatTick(Connection conn) {
        if (conn.isClosed()) {
            return;
        }
        long now = monotonicMillis();
        switch (conn.heartbeat().poll(now)) {
            case SEND_PING -> {
                if (!conn.trySend(FrameType.PING, com.google.protobuf.Empty.getDefaultInstance())) {
                    return;
                }
            }
            case PONG_TIMEOUT -> {
                conn.close(Ending.retry(DisconnectCode.HEARTBEAT_TIMEOUT,
                        "no PONG within " + pongTimeoutMillis + " ms"));
                return;
            }
            case NONE -> {
            }
        }
        scheduleHeartbeat(conn, now);
    }

    private void scheduledAckFlush() {
        acks.flushRan();
        Connection conn;
        synchronized (lock) {
            conn = state == ClientState.CONNECTED ? connection : null;
        }
        if (conn != null) {
            flushAcks(conn);
        }
    }

    /** Sends every pending id in one ACK frame. If the write fails the ids are dropped: the server resends. */
    private void flushAcks(Connection conn) {
        Ack ack = acks.drain();
        if (ack != null) {
            conn.trySend(FrameType.ACK, ack);
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.fine("timer task skipped: client closing");
        }
    }

    // ---- helpers ----

    /** Called with lock held. */
    private void setState(ClientState next) {
        state = next;
        lock.notifyAll();
    }

    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000L;
    }

    private ThreadFactory threads(String name, boolean isIo) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            if (isIo) {
                ioThread = t;
            }
            return t;
        };
    }

    /** Builds a {@link LonglinkClient}; {@link #build()} checks every value and names the bad one. */
    public static final class Builder {
        private List<HostPort> servers = List.of();
        private String appKey;
        private String deviceId;
        private String token;
        private Supplier<String> tokenSupplier;
        private Supplier<List<String>> serverSupplier;
        private Platform platform = Platform.PLATFORM_UNSPECIFIED;
        private String clientVersion = DEFAULT_CLIENT_VERSION;
        private SSLSocketFactory ssl;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxFrameSize = 1 << 20;
        private Duration backoffBase = Duration.ofSeconds(1);
        private Duration backoffCap = Duration.ofSeconds(60);
        private Duration stableAfter = Duration.ofSeconds(30);
        private boolean reconnectOnKick;
        private int heartbeatProbeAfter = 3;
        private int heartbeatStepSeconds = 30;
        private Duration pongTimeout = Duration.ofSeconds(10);
        private Duration ackWindow = Duration.ofMillis(100);
        private int ackBatchSize = 64;
        private int dedupCapacity = MessageDeduplicator.DEFAULT_CAPACITY;
        private long lastMessageId;
        private String networkKey = "";
        private Random random = new Random();
        private Listener listener = new Listener() {
        };

        private Builder() {
        }

        /**
         * Servers as {@code host:port}, tried in order and rotated on failure; with a
         * {@link #serverSupplier} they are the fallback when it fails.
         */
        public Builder servers(List<String> addresses) {
            requireNonNull(addresses, "servers");
            List<HostPort> parsed = new ArrayList<>();
            for (int i = 0; i < addresses.size(); i++) {
                String address = requireNonNull(addresses.get(i), "servers[" + i + "]");
                try {
                    parsed.add(HostPort.parse(address));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("servers[" + i + "]: " + e.getMessage(), e);
                }
            }
            this.servers = List.copyOf(parsed);
            return this;
        }

        public Builder servers(String... addresses) {
            return servers(List.of(addresses));
        }

        /**
         * Asked for servers ({@code host:port}, tried in the order given) at the start of each reconnect
         * round: before the first connection, after a session ended and after each backoff wait. Meant
         * for the bootstrap endpoint (BootstrapService.GetConnNodes). It runs on its own thread and the
         * I/O thread waits for it at most the connect timeout; when it throws, times out or names no
         * valid server, the configured {@link #servers} are used (and {@link Listener#onError} hears
         * why). A call still running from an earlier round is not started again.
         */
        public Builder serverSupplier(Supplier<List<String>> supplier) {
            this.serverSupplier = requireNonNull(supplier, "serverSupplier");
            return this;
        }

        public Builder appKey(String appKey) {
            this.appKey = requireNonNull(appKey, "appKey");
            return this;
        }

        public Builder deviceId(String deviceId) {
            this.deviceId = requireNonNull(deviceId, "deviceId");
            return this;
        }

        /** A fixed token (the app's backend minted it). Use {@link #tokenSupplier} to renew expired tokens. */
        public Builder token(String token) {
            this.token = requireNonNull(token, "token");
            this.tokenSupplier = null;
            return this;
        }

        /** Asked on the I/O thread for the first connection and again when the server refuses the token. */
        public Builder tokenSupplier(Supplier<String> supplier) {
            this.tokenSupplier = requireNonNull(supplier, "tokenSupplier");
            this.token = null;
            return this;
        }

        public Builder platform(Platform platform) {
            this.platform = requireNonNull(platform, "platform");
            return this;
        }

        public Builder clientVersion(String clientVersion) {
            this.clientVersion = requireNonNull(clientVersion, "clientVersion");
            return this;
        }

        /** TLS with the platform's default trust store and host name check. */
        public Builder tls(boolean enabled) {
            this.ssl = enabled ? (SSLSocketFactory) SSLSocketFactory.getDefault() : null;
            return this;
        }

        /** TLS with the given factory (custom trust, pinning); the host name is still checked. */
        public Builder sslSocketFactory(SSLSocketFactory factory) {
            this.ssl = requireNonNull(factory, "sslSocketFactory");
            return this;
        }

        /** Bounds the TCP connect, the TLS handshake, the wait for CONNACK and the wait for the server supplier. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requireNonNull(timeout, "connectTimeout");
            return this;
        }

        /** Largest frame body accepted from the server; a larger one ends the connection. */
        public Builder maxFrameSize(int bytes) {
            this.maxFrameSize = bytes;
            return this;
        }

        /**
         * Reconnect delays: full jitter over {@code [0, min(cap, base * 2^attempt)]}, once every server
         * of the list failed in a round; an unreachable server is followed by the next one at once.
         */
        public Builder backoff(Duration base, Duration cap) {
            this.backoffBase = requireNonNull(base, "backoff base");
            this.backoffCap = requireNonNull(cap, "backoff cap");
            return this;
        }

        /** A connection that lasted this long resets the backoff. */
        public Builder stableAfter(Duration stableAfter) {
            this.stableAfter = requireNonNull(stableAfter, "stableAfter");
            return this;
        }

        /** Whether to reconnect after a KICK (default false: do not fight the other login). */
        public Builder reconnectOnKick(boolean reconnectOnKick) {
            this.reconnectOnKick = reconnectOnKick;
            return this;
        }

        /** Answered PINGs in a row before probing a longer interval. */
        public Builder heartbeatProbeAfter(int count) {
            this.heartbeatProbeAfter = count;
            return this;
        }

        /** How much longer each probe is. */
        public Builder heartbeatStepSeconds(int seconds) {
            this.heartbeatStepSeconds = seconds;
            return this;
        }

        /** How long to wait for a PONG before treating the connection as dead. */
        public Builder pongTimeout(Duration timeout) {
            this.pongTimeout = requireNonNull(timeout, "pongTimeout");
            return this;
        }

        /** ACKs go out at most this long after a message arrived ... */
        public Builder ackWindow(Duration window) {
            this.ackWindow = requireNonNull(window, "ackWindow");
            return this;
        }

        /** ... or as soon as this many ids are pending. */
        public Builder ackBatchSize(int ids) {
            this.ackBatchSize = ids;
            return this;
        }

        /** How many recent message ids are remembered to drop redeliveries (about 24 bytes each). */
        public Builder dedupCapacity(int ids) {
            this.dedupCapacity = ids;
            return this;
        }

        /** The highest message id the app saw in an earlier run (see {@link LonglinkClient#lastMessageId()}). */
        public Builder lastMessageId(long id) {
            this.lastMessageId = id;
            return this;
        }

        /** The network the device starts on, for the adaptive heartbeat. */
        public Builder networkKey(String key) {
            this.networkKey = requireNonNull(key, "networkKey");
            return this;
        }

        /** Source of backoff jitter (a seeded one makes delays reproducible in tests). */
        public Builder random(Random random) {
            this.random = requireNonNull(random, "random");
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = requireNonNull(listener, "listener");
            return this;
        }

        public LonglinkClient build() {
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("servers: none (expected at least one host:port)");
            }
            if (appKey == null || appKey.trim().isEmpty() || appKey.length() > 128) {
                throw new IllegalArgumentException("appKey: " + quote(appKey) + " (expected 1..128 characters)");
            }
            if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
                throw new IllegalArgumentException("deviceId: " + quote(deviceId)
                        + " (expected 1..128 characters of [A-Za-z0-9._:-])");
            }
            if (token == null && tokenSupplier == null) {
                throw new IllegalArgumentException("token: none (expected token(...) or tokenSupplier(...))");
            }
            if (token != null && token.trim().isEmpty()) {
                throw new IllegalArgumentException("token: empty (expected the token minted by the app's backend)");
            }
            checkMillis("connectTimeout", connectTimeout, 1, Integer.MAX_VALUE);
            checkRange("maxFrameSize", maxFrameSize, 64, 64 << 20);
            checkMillis("backoff base", backoffBase, 1, Long.MAX_VALUE);
            checkMillis("backoff cap", backoffCap, backoffBase.toMillis(), Long.MAX_VALUE);
            checkMillis("stableAfter", stableAfter, 0, Long.MAX_VALUE);
            checkRange("heartbeatProbeAfter", heartbeatProbeAfter, 1, 1000);
            checkRange("heartbeatStepSeconds", heartbeatStepSeconds, 1, 3600);
            checkMillis("pongTimeout", pongTimeout, 1, Integer.MAX_VALUE);
            checkMillis("ackWindow", ackWindow, 1, 60_000);
            checkRange("ackBatchSize", ackBatchSize, 1, 4096);
            checkRange("dedupCapacity", dedupCapacity, 1, 1 << 20);
            return new LonglinkClient(this);
        }

        private static void checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": " + value + " (expected " + min + ".." + max + ")");
            }
        }

        private static void checkMillis(String name, Duration value, long min, long max) {
            long millis;
            try {
                millis = value.toMillis();
            } catch (ArithmeticException e) {
                millis = Long.MAX_VALUE;
            }
            if (value.isNegative() || millis < min || millis > max) {
                String expected = max == Long.MAX_VALUE ? ">= " + min + " ms" : min + ".." + max + " ms";
                throw new IllegalArgumentException(name + ": " + value + " (expected " + expected + ")");
            }
        }

        private static String quote(String s) {
            return s == null ? "none" : "\"" + s + "\"";
        }
    }
}
