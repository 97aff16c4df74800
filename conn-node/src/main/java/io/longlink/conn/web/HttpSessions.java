package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's HTTP sessions by key. A key is 128 random bits: it is what authorizes reading and
 * acknowledging a session's messages over HTTP, so it is never logged and never derived from ids.
 */
final class HttpSessions {
    private static final Base64.Encoder KEYS = Base64.getUrlEncoder().withoutPadding();

    private final Map<String, HttpSessionChannel> byKey = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final EventLoopGroup loops;
    private final ChannelHandler initializer;
    private final WriteBufferWaterMark waterMark;

    HttpSessions(EventLoopGroup loops, ChannelHandler initializer, WriteBufferWaterMark waterMark) {
        this.loops = requireNonNull(loops, "loops");
        this.initializer = requireNonNull(initializer, "initializer");
        this.waterMark = requireNonNull(waterMark, "waterMark");
    }

    /** A new session channel, registered on a device event loop (the future completes there). */
    ChannelFuture open(SocketAddress local, SocketAddress remote) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        HttpSessionChannel ch = new HttpSessionChannel(KEYS.encodeToString(bytes), local, remote, waterMark);
        ch.pipeline().addLast(initializer);
        byKey.put(ch.key(), ch);
        ch.closeFuture().addListener(f -> byKey.remove(ch.key(), ch));
        return loops.next().register(ch);
    }

    /** The open session with this key, or null. */
    HttpSessionChannel find(String key) {
        return key == null ? null : byKey.get(key);
    }

    int size() {
        return byKey.size();
    }
}
