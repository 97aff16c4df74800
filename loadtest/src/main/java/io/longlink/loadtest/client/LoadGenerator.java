package io.longlink.loadtest.client;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.wire.FrameCodec;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.FrameType;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Opens and holds many device connections from one JVM: Netty epoll, a few event loops, at most
 * {@code maxInFlight} connects between TCP connect and CONNACK (each finished connect starts the
 * next, so no thread ever blocks), sources spread over several loopback addresses. Sockets are
 * IPv4-only, which also lets the kernel's socket memory of the two ends be told apart.
 */
public final class LoadGenerator implements AutoCloseable {
    private static final byte[] DISCONNECT = FrameCodec.frame(FrameType.DISCONNECT,
            Disconnect.newBuilder().setReason("benchmark done").build());

    private final GeneratorSettings settings;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<EventLoop, LoopTimers> timers = new ConcurrentHashMap<>();
    private final LongAdder pings = new LongAdder();
    private final LongAdder pongs = new LongAdder();
    private final LongAdder pushes = new LongAdder();
    private final ReasonCounts drops = new ReasonCounts();
    private final Map<EventLoop, PushListener> pushListeners = new ConcurrentHashMap<>();
    private final Supplier<PushListener> pushListenerFactory;
    /** TLS client context of the device port, or null for plain TCP. */
    private final SslContext tls;

    public LoadGenerator(GeneratorSettings settings) {
        this(settings, () -> PushListener.NONE);
    }

    /** With {@code pushListeners} asked once per event loop for the listener of that loop's devices. */
    public LoadGenerator(GeneratorSettings settings, Supplier<PushListener> pushListeners) {
        this(settings, pushListeners, Optional.empty());
    }

    /** Over TLS with {@code tls}, a client context, when present (the conn-nodes' {@code conn.tls.*}). */
    public LoadGenerator(GeneratorSettings settings, Supplier<PushListener> pushListeners, Optional<SslContext> tls) {
        this.settings = requireNonNull(settings, "settings");
        this.pushListenerFactory = requireNonNull(pushListeners, "pushListeners");
        this.tls = requireNonNull(tls, "tls").orElse(null);
        if (this.tls != null && !this.tls.isClient()) {
            throw new IllegalArgumentException("tls: a server context (expected: a client context)");
        }
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("Netty epoll transport unavailable: " + Epoll.unavailabilityCause());
        }
        this.group = new MultiThreadIoEventLoopGroup(settings.ioThreads(), EpollIoHandler.newFactory());
        DeviceHandler handler = new DeviceHandler(this);
        int maxFrame = settings.maxFrameBytes();
        this.bootstrap = new Bootstrap().group(group)
                .channelFactory(() -> new EpollSocketChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, false)
                // The CONNACK deadline in LoopTimers bounds the connect; no per-connect timer task.
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)
                .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(512))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        settings.transport().addFrameHandlers(ch.pipeline(), maxFrame);
                        ch.pipeline().addLast("device", handler);
                    }
                });
    }

    /** Starts connecting one device per CONNECT frame; the batch's {@link ConnectBatch#done} says when all ended. */
    public ConnectBatch open(List<byte[]> connectFrames) {
        ConnectBatch batch = new ConnectBatch(connectFrames.toArray(byte[][]::new), System.nanoTime(),
                settings.connectDeadline());
        int initial = Math.min(settings.maxInFlight(), batch.size());
        for (int i = 0; i < initial; i++) {
            launch(batch);
        }
        return batch;
    }

    /**
     * Starts connecting one device, whose index picks its conn-node and source address as in
     * {@link #open}; {@code listener} is told how it ended.
     */
    public void connect(int index, byte[] connectFrame, ConnectListener listener) {
        if (index < 0) {
            throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
        }
        launch(new SingleConnect(index, null, connectFrame, listener));
    }

    /**
     * Starts connecting one device to {@code remote} (a resolved address: where the bootstrap sent
     * it); {@code index} picks its source address; {@code listener} is told how it ended.
     */
    public void connect(InetSocketAddress remote, int index, byte[] connectFrame, ConnectListener listener) {
        requireNonNull(remote, "remote");
        if (index < 0 || remote.isUnresolved()) {
            throw new IllegalArgumentException("index: " + index + ", remote: " + remote
                    + " (expected: >= 0 and a resolved address)");
        }
        launch(new SingleConnect(index, remote, connectFrame, listener));
    }

    private void launch(ConnectGroup batch) {
        int index = batch.claim();
        if (index < 0) {
            return;
        }
        DeviceSession s = new DeviceSession(batch, index, System.nanoTime(), settings.connectDeadline().toNanos());
        ChannelFuture reg = bootstrap.register();
        Channel ch = reg.channel();
        s.channel = ch;
        ch.attr(DeviceSession.KEY).set(s);
        InetSocketAddress local = new InetSocketAddress(settings.sources().get(index % settings.sources().size()), 0);
        reg.addListener((ChannelFutureListener) r -> {
            if (!r.isSuccess()) {
                failConnect(s, "register_failed");
                return;
            }
            timers(ch.eventLoop()).connecting(s);
            s.pushListener = pushListeners.computeIfAbsent(ch.eventLoop(), l -> pushListenerFactory.get());
            InetSocketAddress chosen = batch.remote(index);
            InetSocketAddress remote = chosen != null ? chosen : settings.remoteFor(index);
            if (tls != null) {
                // first in the pipeline: the CONNECT written on channelActive waits for the handshake
                ch.pipeline().addFirst("tls", tls.newHandler(ch.alloc(), remote.getHostString(), remote.getPort()));
            }
            ch.connect(remote, local).addListener((ChannelFutureListener) c -> {
                if (!c.isSuccess()) {
                    failConnect(s, "connect_" + reason(c.cause()));
                }
            });
        });
    }

    private static String reason(Throwable t) {
        String msg = t == null || t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (msg.contains("refused")) {
            return "refused";
        }
        if (msg.contains("address not available") || msg.contains("cannot assign")) {
            return "no_local_port";
        }
        if (msg.contains("too many open files")) {
            return "too_many_open_files";
        }
        return t == null ? "unknown" : t.getClass().getSimpleName();
    }

    private LoopTimers timers(EventLoop loop) {
        return timers.computeIfAbsent(loop, l -> new LoopTimers(l, this));
    }

    /** On the channel's loop: CONNACK OK arrived. */
    void connected(DeviceSession s, int heartbeatSeconds) {
        if (s.state != DeviceSession.State.CONNECTING) {
            return;
        }
        long now = System.nanoTime();
        s.state = DeviceSession.State.CONNECTED;
        s.heartbeatNanos = TimeUnit.SECONDS.toNanos(Math.max(1, heartbeatSeconds));
        s.nextPingNanos = now + s.heartbeatNanos;
        timers(s.channel.eventLoop()).connected(s);
        s.batch.onConnected(s, now);
        launch(s.batch);
    }

    /** The connect of {@code s} ended without CONNACK OK; counted once, then the next connect starts. */
    void failConnect(DeviceSession s, String reason) {
        if (s.state != DeviceSession.State.CONNECTING) {
            return;
        }
        s.state = DeviceSession.State.FINISHED;
        s.closingByUs = true;
        s.channel.close();
        s.batch.onFailed(reason);
        launch(s.batch);
    }

    /** On the channel's loop: the connection closed, whoever closed it. */
    void closed(DeviceSession s) {
        switch (s.state) {
            case CONNECTING -> failConnect(s, s.serverReason == null ? "closed_before_connack" : s.serverReason);
            case CONNECTED -> {
                s.state = DeviceSession.State.FINISHED;
                if (!s.closingByUs) {
                    String reason = s.serverReason == null ? "closed_by_server" : s.serverReason;
                    drops.add(reason);
                }
            }
            case FINISHED -> {
                // already counted
            }
        }
    }

    /** Sends DISCONNECT on every connection of the batch and closes it; completes when all are closed. */
    public CompletableFuture<Void> disconnect(ConnectBatch batch) {
        return disconnect(Arrays.asList(batch.channels()));
    }

    /** Sends DISCONNECT on each of {@code channels} (nulls skipped) and closes it; completes when all are closed. */
    public CompletableFuture<Void> disconnect(Collection<Channel> channels) {
        List<CompletableFuture<Void>> closes = new ArrayList<>(channels.size());
        for (Channel ch : channels) {
            if (ch == null) {
                continue;
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            ch.closeFuture().addListener(x -> f.complete(null));
            closes.add(f);
            ch.eventLoop().execute(() -> {
                DeviceSession s = ch.attr(DeviceSession.KEY).get();
                s.closingByUs = true;
                ch.writeAndFlush(Unpooled.wrappedBuffer(DISCONNECT)).addListener(ChannelFutureListener.CLOSE);
            });
        }
        return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new));
    }

    void countPing() {
        pings.increment();
    }

    void countPong() {
        pongs.increment();
    }

    void countPush() {
        pushes.increment();
    }

    public long pings() {
        return pings.sum();
    }

    public long pongs() {
        return pongs.sum();
    }

    public long pushes() {
        return pushes.sum();
    }

    /** Connections the server closed after CONNACK OK, by reason. */
    public Map<String, Long> drops() {
        return drops.snapshot();
    }

    /**
     * Runs {@code task} on every event loop that has a push listener, each on its own thread, and
     * completes when all have run: how a caller reads per-loop state without a lock.
     */
    public CompletableFuture<Void> onEachLoop(java.util.function.Consumer<PushListener> task) {
        requireNonNull(task, "task");
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        pushListeners.forEach((loop, listener) -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    task.accept(listener);
                    f.complete(null);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            runs.add(f);
        });
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        timers.values().forEach(LoopTimers::cancel);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
