package io.longlink.loadtest.client;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One device connected on its own, when a caller (a Gatling virtual user) paces the connects: no
 * latency histogram and no channel table, just the listener told how it ended.
 */
final class SingleConnect extends ConnectGroup {
    private final int index;
    private final byte[] connectFrame;
    private final ConnectListener listener;
    private final AtomicBoolean claimed = new AtomicBoolean();

    SingleConnect(int index, byte[] connectFrame, ConnectListener listener) {
        this.index = index;
        this.connectFrame = requireNonNull(connectFrame, "connectFrame");
        this.listener = requireNonNull(listener, "listener");
    }

    @Override
    int claim() {
        return claimed.compareAndSet(false, true) ? index : -1;
    }

    @Override
    byte[] connectFrame(int index) {
        return connectFrame;
    }

    @Override
    void onConnected(DeviceSession s, long nowNanos) {
        listener.connected(s.channel);
    }

    @Override
    void onFailed(String reason) {
        listener.failed(reason);
    }
}
