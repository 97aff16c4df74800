package io.longlink.loadtest.abuse;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.wire.FrameDecoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The socket attackers of phase 2, on event loops of their own (apart from the healthy devices'):
 * held attackers (silent sockets, PING and ACK flooders) open their number at once and keep it; rate
 * attackers (the CONNECT flood, garbage) open sockets at their rate, at most {@link #MAX_WAITING} of a
 * kind waiting for the node at once (beyond, a socket is counted skipped, so a stalled node cannot
 * make this side hold ever more sockets). Every socket's end is counted in {@link AttackTally}.
 */
final class Attackers implements AutoCloseable {
    static final long TICK_MS = 20;
    static final int MAX_WAITING = 1_000;
    /** A rate attacker's socket still open after this is closed by the attacker (not counted refused). */
    static final long ANSWER_WAIT_MS = 10_000;
    static final long REOPEN_DELAY_MS = 1_000;

    private final AttackPlan plan;
    private final InetSocketAddress node;
    private final String appKey;
    private final String secret;
    private final long tokenExpiry;
    private final AttackTally tally = new AttackTally();
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final Map<AttackKind, AtomicInteger> live = new EnumMap<>(AttackKind.class);
    private final AtomicLong sequence = new AtomicLong();
    private final List<ScheduledFuture<?>> tickers = new ArrayList<>();
    private volatile boolean stopping;

    /** Attackers of {@code plan} against the device listener {@code node}, logging in as devices of the app. */
    Attackers(AttackPlan plan, InetSocketAddress node, String appKey, String secret, int ioThreads) {
        this.plan = requireNonNull(plan, "plan");
        this.node = requireNonNull(node, "node");
        this.appKey = requireNonNull(appKey, "appKey");
        this.secret = requireNonNull(secret, "secret");
        this.tokenExpiry = System.currentTimeMillis() / 1000 + 86_400;
        for (AttackKind k : AttackKind.values()) {
            live.put(k, new AtomicInteger());
        }
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, EpollIoHandler.newFactory());
        AttackHandler handler = new AttackHandler(this, plan);
        this.bootstrap = new Bootstrap().group(group)
                .channelFactory(() -> new EpollSocketChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2_048))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("frames", new FrameDecoder(GeneratorSettings.MAX_FRAME_BYTES))
                                .addLast("attack", handler);
                    }
                });
    }

    /** Opens the held attackers and starts the rate attackers. */
    void start() {
        for (int i = 0; i < plan.silentSockets(); i++) {
            open(AttackKind.SILENT);
        }
        for (int i = 0; i < plan.pingFlooders(); i++) {
            open(AttackKind.PING_FLOOD);
        }
        for (int i = 0; i < plan.ackFlooders(); i++) {
            open(AttackKind.ACK_FLOOD);
        }
        rate(AttackKind.CONNECT_FLOOD, plan.connectFloodPerS());
        rate(AttackKind.GARBAGE, plan.garbagePerS());
    }

    private void rate(AttackKind kind, int perSecond) {
        if (perSecond <= 0) {
            return;
        }
        long start = System.nanoTime();
        long[] started = {0};
        tickers.add(group.next().scheduleAtFixedRate(() -> {
            long due = perSecond * (System.nanoTime() - start) / TimeUnit.SECONDS.toNanos(1);
            // a loop held up for more than a second does not make up for it in one burst
            for (; started[0] < due - perSecond; started[0]++) {
                tally.skipped(kind);
            }
            for (; started[0] < due; started[0]++) {
                if (live.get(kind).get() >= MAX_WAITING) {
                    tally.skipped(kind);
                } else {
                    open(kind);
                }
            }
        }, 0, TICK_MS, TimeUnit.MILLISECONDS));
    }

    private void open(AttackKind kind) {
        if (stopping) {
            return;
        }
        live.get(kind).incrementAndGet();
        long n = sequence.incrementAndGet();
        byte[] connect = kind.logsIn()
                ? ConnectFrames.forDevices(appKey, secret, "x" + kind.key() + n, 1, 300, tokenExpiry).getFirst()
                : null;
        AttackSocket s = new AttackSocket(kind, n, connect);
        ChannelFuture reg = bootstrap.register();
        Channel ch = reg.channel();
        ch.attr(AttackSocket.KEY).set(s);
        reg.addListener((ChannelFutureListener) r -> {
            if (!r.isSuccess()) {
                ended(s, "register_failed", true);
                return;
            }
            ch.connect(node, new InetSocketAddress(kind.source(), 0)).addListener((ChannelFutureListener) c -> {
                if (!c.isSuccess()) {
                    ch.close();
                    ended(s, "tcp_connect_" + reason(c.cause()), true);
                }
            });
        });
    }

    private static String reason(Throwable t) {
        String msg = t == null || t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
        if (msg.contains("refused")) {
            return "refused";
        }
        if (msg.contains("timed out")) {
            return "timeout";
        }
        return t == null ? "unknown" : t.getClass().getSimpleName();
    }

    /** On the channel's loop: connected. */
    void active(Channel ch, AttackSocket s) {
        open.add(ch);
        tally.opened(s.kind);
        if (!s.kind.held()) {
            s.answerWait = ch.eventLoop().schedule(() -> {
                s.closingByUs = true;
                ch.close();
            }, ANSWER_WAIT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** On the channel's loop: closed, by whichever side. */
    void inactive(Channel ch, AttackSocket s) {
        open.remove(ch);
        s.cancelTasks();
        ended(s, s.reason == null ? "closed" : s.reason, !s.closingByUs);
    }

    /** Counts the end of a socket once; a held attacker's socket the node ended is opened again. */
    private void ended(AttackSocket s, String reason, boolean byNode) {
        if (s.ended) {
            return;
        }
        s.ended = true;
        live.get(s.kind).decrementAndGet();
        if (!byNode || stopping) {
            return;
        }
        tally.refused(s.kind, reason);
        if (s.kind.held()) {
            group.next().schedule(() -> open(s.kind), REOPEN_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    AttackTally tally() {
        return tally;
    }

    /** Sockets open now, of every kind. */
    int open() {
        return open.size();
    }

    /**
     * Stops every attacker: no more sockets, and those open are closed by this side (ends not counted).
     * Waits up to 10 s for the closes.
     */
    @Override
    public void close() {
        stopping = true;
        tickers.forEach(t -> t.cancel(false));
        List<ChannelFuture> closes = new ArrayList<>();
        for (Channel ch : List.copyOf(open)) {
            closes.add(ch.close());
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ChannelFuture f : closes) {
            f.awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
