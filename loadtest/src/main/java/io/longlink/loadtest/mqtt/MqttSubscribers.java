package io.longlink.loadtest.mqtt;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.client.ReasonCounts;
import io.longlink.loadtest.wire.PushFields;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
    private final int idsEach;
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder unique = new LongAdder();
    private final ReasonCounts drops = new ReasonCounts();
    private final AtomicInteger subscribed = new AtomicInteger();
    private Channel[] channels = new Channel[0];

    /**
     * @param idsEach message ids one subscriber is expected to receive in the whole run: its set of
     *                ids is sized for them when it connects, so it never grows (a copy the collector
     *                would make while a phase is measured) and never stalls the acknowledgements
     */
    MqttSubscribers(int ioThreads, List<InetAddress> sources, int idsEach) {
        this.sources = List.copyOf(sources);
        this.idsEach = idsEach;
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
                            ch.pipeline().addLast(MqttEncoder.INSTANCE, s);
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

    /**
     * One connection: its state lives here, on its event loop. It reads the packets a 3.1.1 broker
     * sends a subscriber (CONNACK, SUBACK, PUBLISH, PINGRESP, UNSUBACK) straight from the bytes, and
     * answers a read's QoS 1 PUBLISHes with their PUBACKs in one buffer: the generator shares the
     * cores with the broker it measures, so a delivery costs it no decoded message object, no copy of
     * the payload and no boxed id.
     */
    private final class Subscriber extends ByteToMessageDecoder {
        static final io.netty.util.AttributeKey<Boolean> LEAVING = io.netty.util.AttributeKey.valueOf("leaving");
        private static final int CONNACK = 2;
        private static final int PUBLISH = 3;
        private static final int SUBACK = 9;

        private final Identity id;
        private final Semaphore window;
        private final CompletableFuture<Void> done;
        private final int total;
        private final LongSet seen = new LongSet(idsEach);
        private ByteBuf pubAcks;
        private boolean ready;

        Subscriber(Identity id, Semaphore window, CompletableFuture<Void> done, int total) {
            this.id = id;
            this.window = window;
            this.done = done;
            this.total = total;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                    .clientId(id.clientId()).hasUser(true).username(id.userName()).hasPassword(true)
                    .password(id.password().getBytes(StandardCharsets.UTF_8)).keepAlive(600).cleanSession(false)
                    .build());
            super.channelActive(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            while (in.isReadable() && ctx.channel().isActive()) {
                int start = in.readerIndex();
                int limit = in.writerIndex();
                int at = start + 1;
                int length = 0;
                for (int shift = 0; ; shift += 7) {
                    if (at >= limit) {
                        return; // the remaining length is not all here yet
                    }
                    byte b = in.getByte(at++);
                    length |= (b & 0x7F) << shift;
                    if (b >= 0) {
                        break;
                    }
                    if (shift == 21) {
                        in.skipBytes(in.readableBytes());
                        fail(ctx, "undecodable_packet");
                        return;
                    }
                }
                if (limit - at < length) {
                    return;
                }
                in.readerIndex(at + length);
                int header = in.getUnsignedByte(start);
                switch (header >> 4) {
                    case CONNACK -> connAck(ctx, length == 2 ? in.getUnsignedByte(at + 1) : -1);
                    case SUBACK -> subAck();
                    case PUBLISH -> publish(ctx, in, header, at, length);
                    default -> {
                        // PINGRESP, UNSUBACK: nothing to count
                    }
                }
            }
        }

        private void connAck(ChannelHandlerContext ctx, int code) {
            if (code != 0) {
                fail(ctx, "connack_" + (code < 0 ? "malformed" : MqttConnectReturnCode.valueOf((byte) code)));
                return;
            }
            MqttMessageBuilders.SubscribeBuilder sub = MqttMessageBuilders.subscribe().messageId(1);
            id.topics().forEach(t -> sub.addSubscription(MqttQoS.AT_LEAST_ONCE, t));
            ctx.writeAndFlush(sub.build());
        }

        private void subAck() {
            ready = true;
            window.release();
            if (subscribed.incrementAndGet() == total) {
                done.complete(null);
            }
        }

        /** A PUBLISH at {@code at} (variable header) of {@code length} bytes: counted, and PUBACKed if QoS 1. */
        private void publish(ChannelHandlerContext ctx, ByteBuf in, int header, int at, int length)
                throws InvalidProtocolBufferException {
            int end = at + length;
            int qos = (header >> 1) & 3;
            int payload = at + 2 + in.getUnsignedShort(at);
            int packetId = 0;
            if (qos > 0) {
                packetId = in.getUnsignedShort(payload);
                payload += 2;
            }
            if (payload > end) {
                fail(ctx, "undecodable_packet");
                return;
            }
            long messageId = PushFields.messageId(in, payload, end - payload);
            deliveries.increment();
            if (seen.add(messageId)) {
                unique.increment();
            }
            if (qos == 1) {
                if (pubAcks == null) {
                    pubAcks = ctx.alloc().buffer(64);
                }
                pubAcks.writeByte(0x40).writeByte(2).writeShort(packetId);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            ByteBuf acks = pubAcks;
            if (acks != null) {
                pubAcks = null;
                ctx.write(acks, ctx.voidPromise());
            }
            ctx.flush();
            super.channelReadComplete(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (pubAcks != null) {
                pubAcks.release();
                pubAcks = null;
            }
            if (!ready) {
                fail(ctx, "closed_before_suback");
            } else if (ctx.channel().attr(LEAVING).get() == null) {
                drops.add("closed_by_broker");
            }
            super.channelInactive(ctx);
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
