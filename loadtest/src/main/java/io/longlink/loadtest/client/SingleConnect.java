package io.longlink.loadtest.client;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One device connected on its own, when a caller (a Gatling virtual user) paces the connects: no
 * latency histogram and no channel table, just the listener told how it ended. The session keeps
 * this object for the connection's life, so the frame and the listener (and what it holds) are let
 * go once the connect ended; both are touched on the channel's event loop only.
 */
final class SingleConnect extends ConnectGroup {
    private final int index;
    /** Null: the generator picks by index. */
    private final InetSocketAddress remote;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private byte[] connectFrame;
    private ConnectListener listener;

    SingleConnect(int index, InetSocketAddress remote, byte[] connectFrame, ConnectListener listener) {
        this.index = index;
        this.remote = remote;
        this.connectFrame = requireNonNull(connectFrame, "connectFrame");
        this.listener = requireNonNull(listener, "listener");
    }

    @Override
    int claim() {
        return claimed.compareAndSet(false, true) ? index : -1;
    }

    @Override
    InetSocketAddress remote(int index) {
        return remote;
    }

    @Override
    byte[] connectFrame(int index) {
        return connectFrame;
    }

    @Override
    void onConnected(DeviceSession s, long nowNanos) {
        ConnectListener l = ended();
        l.connected(s.channel);
    }

    @Override
    void onFailed(String reason) {
        ConnectListener l = ended();
        l.failed(reason);
    }

    private ConnectListener ended() {
        ConnectListener l = listener;
        listener = null;
        connectFrame = null;
        return l;
    }
}
