package io.longlink.loadtest.mqtt;

import io.longlink.proto.device.Push;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT 3.1.1 client that publishes at QoS 1 to another broker, at most {@code window} PUBLISHes
 * without PUBACK. Each payload is an encoded {@code Push} with the message id, as Longlink sends
 * to 3.1.1 clients, so the same subscribers count both brokers' deliveries.
 */
final class MqttPublisher implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final Semaphore window;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final Channel channel;
    private int nextPacketId;

    MqttPublisher(InetSocketAddress broker, int window) throws InterruptedException {
        this.window = new Semaphore(window);
        this.channel = new Bootstrap().group(group)
                .channelFactory(() -> new EpollSocketChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new MqttDecoder(), MqttEncoder.INSTANCE, new Acks());
                    }
                }).connect(broker).sync().channel();
        channel.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                .clientId("bench-publisher").keepAlive(600).cleanSession(true).build());
        connected.orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** Publishes message {@code id} to {@code topic}, waiting while the window is full. */
    void publish(String topic, long id) throws InterruptedException {
        if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no PUBACK for 30 s from the broker");
        }
        byte[] payload = Push.newBuilder().setMessageId(id).setSentAtMs(System.currentTimeMillis()).build()
                .toByteArray();
        channel.eventLoop().execute(() -> {
            nextPacketId = nextPacketId % 65_535 + 1;
            channel.writeAndFlush(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false,
                    MqttQoS.AT_LEAST_ONCE, false, 0), new MqttPublishVariableHeader(topic, nextPacketId),
                    Unpooled.wrappedBuffer(payload)), channel.voidPromise());
        });
    }

    @Override
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(MqttMessage.DISCONNECT);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Acks extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            MqttMessage m = (MqttMessage) msg;
            try {
                switch (m.fixedHeader().messageType()) {
                    case CONNACK -> {
                        MqttConnectReturnCode rc = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
                        if (rc == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                            connected.complete(null);
                        } else {
                            connected.completeExceptionally(new IllegalStateException("publisher refused: " + rc));
                        }
                    }
                    case PUBACK -> {
                        if (m.variableHeader() instanceof MqttMessageIdVariableHeader) {
                            window.release();
                        }
                    }
                    default -> {
                        // nothing else is expected
                    }
                }
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
    }
}
