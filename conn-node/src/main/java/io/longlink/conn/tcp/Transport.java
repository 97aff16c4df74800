package io.longlink.conn.tcp;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Native epoll on Linux, NIO elsewhere. */
public enum Transport {
    EPOLL, NIO;

    public static Transport detect() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    public MultiThreadIoEventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, threadFactory(name), factory);
    }

    /**
     * An IPv4-only server socket when binding an IPv4 address: accepted sockets are then IPv4 too,
     * which the kernel keeps smaller than dual-stack ones.
     */
    public ServerChannel newServerChannel(InetAddress bind) {
        SocketProtocolFamily family = bind instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        return this == EPOLL ? new EpollServerSocketChannel(family)
                : new NioServerSocketChannel(SelectorProvider.provider(), family);
    }

    public Class<? extends ServerChannel> serverChannelType() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannelType() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private static ThreadFactory threadFactory(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new io.netty.util.concurrent.FastThreadLocalThread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
