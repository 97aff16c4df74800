package io.longlink.loadtest.client;

import io.netty.channel.Channel;

/** Told, once and on the connection's event loop, how one device's connect ended. */
public interface ConnectListener {
    /** CONNACK OK arrived on {@code channel}, which stays open until disconnected. */
    void connected(Channel channel);

    /** No CONNACK OK: the reason as {@link ConnectBatch#failures()} counts it. */
    void failed(String reason);
}
