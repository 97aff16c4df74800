package io.longlink.loadtest.client;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The generator's state of one device connection. Touched only on the channel's event loop, so
 * no field needs a lock.
 */
final class DeviceSession {
    static final AttributeKey<DeviceSession> KEY = AttributeKey.valueOf(DeviceSession.class, "session");

    enum State { CONNECTING, CONNECTED, FINISHED }

    final ConnectGroup batch;
    final int index;
    final long startNanos;
    Channel channel;
    State state = State.CONNECTING;
    final long connectDeadlineNanos;
    /** Key of the heartbeat queue in {@link LoopTimers}; changed only while the session is out of it. */
    long nextPingNanos;
    long heartbeatNanos;
    /** Why the server is about to close us, from its ERROR/KICK/REDIRECT frame. */
    String serverReason;
    boolean closingByUs;
    /** Where this connection's PUSHes are reported: its event loop's listener, set when registered. */
    PushListener pushListener = PushListener.NONE;
    /** Ids received since the last ACK frame; sent as one ACK when the read burst ends. */
    long[] pendingAcks;
    int pendingAckCount;

    DeviceSession(ConnectGroup batch, int index, long startNanos, long connectDeadlineNanos) {
        this.batch = batch;
        this.index = index;
        this.startNanos = startNanos;
        this.connectDeadlineNanos = startNanos + connectDeadlineNanos;
    }
}
