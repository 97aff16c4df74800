package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.netty.channel.Channel;

/**
 * One device connection. Kept small on purpose (a node holds up to a million): no maps, no timers,
 * no per-session lists once live. The identity fields are written once on the event loop before the
 * session is published in the {@link SessionIndex} (a ConcurrentHashMap put, so other threads see
 * them); everything else is touched only on the channel's event loop, except {@link #state}.
 */
public final class Session {
    public static final byte AWAITING_CONNECT = 0;
    public static final byte AUTHENTICATING = 1;
    /** Registered in the index, route write in flight. Live deliveries are held until the inbox drain ends. */
    public static final byte ROUTING = 2;
    /** CONNACK sent, inbox being written. Live deliveries are still held. */
    public static final byte DRAINING = 3;
    public static final byte LIVE = 4;
    public static final byte CLOSED = 5;

    static final byte F_CLOSING = 1;
    static final byte F_ROUTE_WRITTEN = 1 << 1;
    static final byte F_WATCHED_UNWRITABLE = 1 << 2;
    /**
     * A stored copy did not reach the device (a push REJECTED on a full socket or a full held queue, a
     * re-drain asked for): write the inbox again once the socket is writable or the catch-up ends.
     */
    static final byte F_REDRAIN = 1 << 3;
    /** An awaited copy went unacknowledged past its batch's wait: await none until the device ACKs again. */
    static final byte F_ACK_LATE = 1 << 4;
    /**
     * The broadcast log may hold copies for the device that it was not sent (a logged fan-out copy
     * skipped, a replay cut short or failed): the next re-drain replays the log, and until that replay
     * ends the device's ACKs of live fan-out copies do not move its log position.
     */
    static final byte F_LOG_GAP = 1 << 5;
    /** {@link #logPosition} moved past what ll:seen holds; written with the next route renewal or at close. */
    static final byte F_SEEN_DIRTY = 1 << 6;
    /** An ACK's removals wait for room in the node's Redis batch queue: the connection does not read meanwhile. */
    static final byte F_ACK_PARKED = (byte) (1 << 7);

    final Channel channel;
    volatile byte state;
    byte flags;
    short heartbeatSeconds;
    int lastSeenTick;
    int renewedTick;
    int unwritableSinceTick;
    /** The frame and ACK-id rate levels, packed by {@link FrameRates}. */
    int rates;
    /**
     * PUSH frames written on this connection minus the ids it has acknowledged since: an ACK id beyond
     * it names nothing sent here, so it costs no Redis work (see {@link AckHandler}).
     */
    int ackCredit;
    String appKey;
    String deviceId;
    long connectionId;
    /** Volatile: FanOut matching reads it on the fan-out thread while CONNECT sets it on the loop. */
    volatile TagPosting[] tags;
    /** Non-null only during a catch-up (inbox drain and log replay, or a re-drain); see {@link CatchUp}. */
    PendingDrain inboxDrain;
    /** Non-null only after a broadcast-log replay, until the device ACKs the last replayed message. */
    ReplayMark replayMark;
    /**
     * The broadcast-log position the device is known to have everything up to (0: not known). A
     * field, 8 bytes per connection, rather than an object: live fan-out ACKs move it, and every
     * device of an app that broadcasts gets those.
     */
    long logPosition;
    /** Non-null only while live copies wait for this device's ACK (see AckWaiter). */
    AckWaits ackWaits;
    /** Fan-out copies were written and wait for the loop's next fan-out flush (fits the object's padding). */
    boolean fanOutUnflushed;

    // Intrusive links of the event loop's timing wheel (O(1) unlink when the connection closes).
    Session wheelPrev;
    Session wheelNext;
    int wheelSlot = -1;

    Session(Channel channel) {
        this.channel = requireNonNull(channel, "channel");
    }

    public Channel channel() {
        return channel;
    }

    /**
     * Event loop only: notes that fan-out copies wait in this connection's outbound buffer for the
     * loop's next fan-out flush; false when it was noted already (one flush per connection however
     * many pushes it holds).
     */
    public boolean markFanOutUnflushed() {
        if (fanOutUnflushed) {
            return false;
        }
        fanOutUnflushed = true;
        return true;
    }

    /** Event loop only: flushes what {@link #markFanOutUnflushed()} noted. */
    public void flushFanOut() {
        fanOutUnflushed = false;
        channel.flush();
    }

    public byte state() {
        return state;
    }

    public String appKey() {
        return appKey;
    }

    public String deviceId() {
        return deviceId;
    }

    public long connectionId() {
        return connectionId;
    }

    public String connectionIdText() {
        return ConnectionIds.format(connectionId);
    }

    public String routeKey() {
        return RedisKeys.route(appKey, deviceId);
    }

    /** Whether a live delivery may be accepted (held or written) by this session. */
    boolean acceptsDeliveries() {
        byte s = state;
        return s == ROUTING || s == DRAINING || s == LIVE;
    }

    boolean isClosingOrClosed() {
        return state == CLOSED || (flags & F_CLOSING) != 0;
    }

    /**
     * Reads from the device only while its outbound side is writable and none of its ACKs waits for
     * queue room, so a device that sends and never reads cannot make the node queue more than the
     * write-buffer high watermark. Event-loop only.
     */
    void updateReading() {
        boolean read = channel.isWritable() && (flags & F_ACK_PARKED) == 0;
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    /** Runs {@code r} on this session's event loop: now when called there, else as a task. */
    void onLoop(Runnable r) {
        if (channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            channel.eventLoop().execute(r);
        }
    }

    @Override
    public String toString() {
        return "Session[" + appKey + "/" + deviceId + " conn=" + connectionIdText() + " state=" + state + "]";
    }
}
