package io.longlink.loadtest.mqtt;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.client.ReasonCounts;
import io.longlink.loadtest.wire.PushFields;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * MQTT 3.1.1 subscribers for one broker, from one JVM: each connects (clean session 0), subscribes
 * to its topics at QoS 1, PUBACKs every PUBLISH and records the message id found in its payload (an
 * encoded {@code Push}: what Longlink sends 3.1.1 clients, and what the benchmark publishes to other
 * brokers). Connects are bounded in flight; deliveries are counted per subscriber without
 * duplicates, so a run can say how many expected deliveries never came.
 */
final class MqttSubscribers implements AutoCloseable {
    /** What subscriber {@code index} sends in its CONNECT and subscribes to. */
    record Identity(String clientId, String userName, String password, List<String> topics) {
    }

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final List<InetAddress> sources;
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder unique = new LongAdder();
    private final ReasonCounts drops = new ReasonCounts();
    private final AtomicInteger subscribed = new AtomicInteger();
    private Channel[] channels = new Channel[0];

    MqttSubscribers(int ioThreads, List<InetAddress> sources) {
        this.sources = List.copyOf(sources);
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, EpollIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group)
                .channelFactory(() -> new EpollSocketChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    }

    /**
     * Connects {@code identities.size()} subscribers to {@code brokers} (subscriber i to broker
     * i % size), at most {@code maxInFlight} between TCP connect and SUBACK; completes when all are
     * subscribed, fails when one is refused or closed first.
     */
    CompletableFuture<Void> connect(List<InetSocketAddress> brokers, List<Identity> identities, int maxInFlight) {
        requireNonNull(brokers, "brokers");
        CompletableFuture<Void> done = new CompletableFuture<>();
        channels = new Channel[identities.size()];
        Semaphore window = new Semaphore(maxInFlight);
        Thread.ofPlatform().daemon().name("mqtt-subscribers-connect").start(() -> {
            try {
                for (int i = 0; i < identities.size() && !done.isDone(); i++) {
                    if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
                        done.completeExceptionally(new IllegalStateException("no SUBACK within 60 s"));
                        return;
                    }
                    Subscriber s = new Subscriber(identities.get(i), window, done, identities.size());
                    ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE, s);
                        }
                    }).connect(brokers.get(i % brokers.size()), new InetSocketAddress(sources.get(i % sources.size()),
                            0));
                    channels[i] = connect.channel();
                    connect.addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            done.completeExceptionally(f.cause());
                        }
                    });
                }
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** PUBLISHes received, duplicates included. */
    long deliveries() {
        return deliveries.sum();
    }

    /** Distinct message ids received, summed over subscribers. */
    long unique() {
        return unique.sum();
    }

    /** Subscribers the broker closed after their SUBACK, by reason. */
    Map<String, Long> drops() {
        return drops.snapshot();
    }

    /** Sends DISCONNECT on every connection and closes it. */
    void disconnect() throws InterruptedException {
        for (Channel ch : channels) {
            if (ch != null && ch.isActive()) {
                ch.attr(Subscriber.LEAVING).set(Boolean.TRUE);
                ch.writeAndFlush(MqttMessage.DISCONNECT).addListener(ChannelFutureListener.CLOSE);
            }
        }
        for (Channel ch : channels) {
            if (ch != null) {
                ch.closeFuture().await(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One connection: its state lives here, on its event loop. */
    private final class Subscriber extends ChannelDuplexHandler {
        static final io.netty.util.AttributeKey<Boolean> LEAVING = io.netty.util.AttributeKey.valueOf("leaving");

        private final Identity id;
        private final Semaphore window;
        private final CompletableFuture<Void> done;
        private final int total;
        private final Set<Long> seen = new HashSet<>();
        private boolean ready;

        Subscriber(Identity id, Semaphore window, CompletableFuture<Void> done, int total) {
            this.id = id;
            this.window = window;
            this.done = done;
            this.total = total;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                    .clientId(id.clientId()).hasUser(true).username(id.userName()).hasPassword(true)
                    .password(id.password().getBytes(StandardCharsets.UTF_8)).keepAlive(600).cleanSession(false)
                    .build());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            MqttMessage m = (MqttMessage) msg;
            try {
                if (m.decoderResult().isFailure()) {
                    fail(ctx, "undecodable_packet");
                    return;
                }
                switch (m.fixedHeader().messageType()) {
                    case CONNACK -> {
                        MqttConnectReturnCode rc = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
                        if (rc != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                            fail(ctx, "connack_" + rc);
                            return;
                        }
                        MqttMessageBuilders.SubscribeBuilder sub = MqttMessageBuilders.subscribe().messageId(1);
                        id.topics().forEach(t -> sub.addSubscription(MqttQoS.AT_LEAST_ONCE, t));
                        ctx.writeAndFlush(sub.build());
                    }
                    case SUBACK -> {
                        ready = true;
                        window.release();
                        if (subscribed.incrementAndGet() == total) {
                            done.complete(null);
                        }
                    }
                    case PUBLISH -> {
                        MqttPublishMessage p = (MqttPublishMessage) m;
                        long messageId = PushFields.parse(ByteBufUtil.getBytes(p.payload())).messageId();
                        deliveries.increment();
                        if (seen.add(messageId)) {
                            unique.increment();
                        }
                        if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
                            ctx.write(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build(),
                                    ctx.voidPromise());
                        }
                    }
                    default -> {
                        // PINGRESP, UNSUBACK: nothing to count
                    }
                }
            } finally {
                ReferenceCountUtil.release(m);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!ready) {
                fail(ctx, "closed_before_suback");
            } else if (ctx.channel().attr(LEAVING).get() == null) {
                drops.add("closed_by_broker");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private void fail(ChannelHandlerContext ctx, String reason) {
            if (!ready) {
                done.completeExceptionally(new IllegalStateException("subscriber " + id.clientId() + ": " + reason));
            }
            ctx.close();
        }
    }
}
