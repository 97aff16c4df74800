package io.longlink.conn.tcp;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bound device listener. It binds with accepting paused ({@link #startAccepting} resumes it),
 * so that no device connects before this node is visible to its peers, and stops accepting on drain.
 */
public final class DeviceListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceListener.class);
    /** The listener's name on its server channel: the endpoint key its clients are redirected to. */
    private static final AttributeKey<String> ENDPOINT = AttributeKey.valueOf(DeviceListener.class, "endpoint");
    /** The endpoint key of the TCP device listener, and of any channel without a listener. */
    public static final String DEVICE_ENDPOINT = "device";

    /** Per-socket options; small fixed read buffers keep idle connections cheap. */
    public record Options(int backlog, int recvBufferBytes, int sndBuf, int lowWater, int highWater) {
    }

    private final String name;
    private final Channel server;

    private DeviceListener(String name, Channel server) {
        this.name = name;
        this.server = server;
    }

    public static DeviceListener bind(String name, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                                      String host, int port, Options o, ChannelHandler initializer) throws IOException {
        requireNonNull(initializer, "initializer");
        InetAddress address = InetAddress.getByName(host);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channelFactory(() -> transport.newServerChannel(address))
                .option(ChannelOption.SO_BACKLOG, o.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .attr(ENDPOINT, name)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, false) // heartbeats detect dead peers
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(o.recvBufferBytes()))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(o.lowWater(), o.highWater()))
                .childHandler(initializer);
        if (o.sndBuf() > 0) {
            b.childOption(ChannelOption.SO_SNDBUF, o.sndBuf());
        }
        InetSocketAddress bind = new InetSocketAddress(address, port);
        try {
            Channel ch = b.bind(bind).syncUninterruptibly().channel();
            log.info("device listener bound name={} address={} accepting=false", name, ch.localAddress());
            return new DeviceListener(name, ch);
        } catch (Exception e) {
            throw new IOException(name + ": cannot listen on " + bind + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The name of the listener that accepted {@code ch} ("device", "mqtt"): the membership endpoint key
     * of that transport, read from the server channel so that connections carry nothing for it.
     */
    public static String endpointOf(Channel ch) {
        Channel holder = ch.parent() != null ? ch.parent() : ch; // a session channel no listener accepted holds its own
        String name = holder.hasAttr(ENDPOINT) ? holder.attr(ENDPOINT).get() : null;
        return name == null ? DEVICE_ENDPOINT : name;
    }

    /** Names the transport of a session channel that no listener accepted (an HTTP session's). */
    static void nameUnaccepted(Channel ch, String endpoint) {
        ch.attr(ENDPOINT).set(endpoint);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Idempotent. */
    public void startAccepting() {
        if (server.isOpen() && !server.config().isAutoRead()) {
            server.config().setAutoRead(true);
            log.info("device listener accepting name={} address={}", name, server.localAddress());
        }
    }

    /** Closes the listening socket; connections already accepted stay. Idempotent. */
    public void stopAccepting() {
        if (server.isOpen()) {
            server.close().syncUninterruptibly();
            log.info("device listener closed name={}", name);
        }
    }

    @Override
    public void close() {
        stopAccepting();
    }
}
