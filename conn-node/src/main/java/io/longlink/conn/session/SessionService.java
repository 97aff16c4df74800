package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lettuce.core.KeyValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.Route;
import io.longlink.common.token.DeviceToken;
import io.longlink.conn.auth.AppSecrets;
import io.longlink.conn.broadcast.BroadcastLog;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.Ping;
import io.longlink.conn.codec.PushBodies;
import io.longlink.conn.inbox.Inbox;
import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.route.PeerKicker;
import io.longlink.conn.route.RouteStore;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.longlink.proto.internal.Outcome;
import io.longlink.proto.internal.TagFilter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device session life cycle, shared by every listener type (TCP now; WebSocket and MQTT turn
 * their transport into the same frames): CONNECT, route claim and duplicate-login kick, CONNACK,
 * catch-up (inbox drain merged with the broadcast-log replay), live pushes, PING, ACK, timeouts
 * and close.
 *
 * <p>Threading: every method that takes a session runs on that session's event loop; store replies
 * hop back onto it. Nothing here blocks: Redis work is asynchronous or queued for the batcher.
 */
public final class SessionService implements SessionWheel.Policy, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionService.class);

    private final String nodeId;
    private final SessionSettings settings;
    private final ConnMetrics metrics;
    private final SessionIndex index;
    private final Disconnector disconnector;
    private final AppSecrets apps;
    private final RouteStore routes;
    private final PeerKicker kicker;
    private final Inbox inbox;
    private final BroadcastLog broadcasts;
    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final ConnectionIds ids = new ConnectionIds();
    private final LoopWheels wheels;
    private final BooleanSupplier draining;
    private final Supplier<Redirect> redirects;
    private final AtomicInteger sockets = new AtomicInteger();
    private final int connectTicks;
    private final int storeTicks;
    private final int renewTicks;
    private final int slowReaderTicks;

    public SessionService(String nodeId, SessionSettings settings, ConnMetrics metrics, SessionIndex index,
                          Disconnector disconnector, AppSecrets apps, RouteStore routes, PeerKicker kicker, Inbox inbox,
                          BroadcastLog broadcasts, RedisClusterAsyncCommands<String, byte[]> redis, EventLoopGroup loops,
                          BooleanSupplier draining, Supplier<Redirect> redirects) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.settings = requireNonNull(settings, "settings");
        this.metrics = requireNonNull(metrics, "metrics");
        this.index = requireNonNull(index, "index");
        this.disconnector = requireNonNull(disconnector, "disconnector");
        this.apps = requireNonNull(apps, "apps");
        this.routes = requireNonNull(routes, "routes");
        this.kicker = requireNonNull(kicker, "kicker");
        this.inbox = requireNonNull(inbox, "inbox");
        this.broadcasts = requireNonNull(broadcasts, "broadcasts");
        this.redis = requireNonNull(redis, "redis");
        this.draining = requireNonNull(draining, "draining");
        this.redirects = requireNonNull(redirects, "redirects");
        this.connectTicks = settings.ticks(settings.connectTimeoutMs());
        this.storeTicks = settings.ticks(2L * settings.storeTimeoutMs());
        this.renewTicks = settings.renewTicks();
        this.slowReaderTicks = settings.ticks(settings.slowReaderMs());
        this.wheels = new LoopWheels(loops, settings.tickMillis(), this, metrics.loopLag);
    }

    public int sockets() {
        return sockets.get();
    }

    public SessionIndex index() {
        return index;
    }

    public Disconnector disconnector() {
        return disconnector;
    }

    // ---- channel events (DeviceHandler) ----

    void opened(Channel ch) {
        Session s = new Session(ch);
        ch.attr(Disconnector.SESSION).set(s);
        sockets.incrementAndGet();
        SessionWheel wheel = wheels.current();
        if (wheel != null) {
            s.lastSeenTick = wheel.now();
            wheel.schedule(s, s.lastSeenTick + connectTicks);
        }
    }

    void closed(Channel ch) {
        Session s = ch.attr(Disconnector.SESSION).getAndSet(null);
        if (s == null) {
            return;
        }
        byte was = s.state;
        s.state = Session.CLOSED;
        sockets.decrementAndGet();
        SessionWheel wheel = wheels.current();
        if (wheel != null) {
            wheel.unlink(s);
        }
        s.inboxDrain = null; // held deliveries are still in the inbox
        if (was >= Session.ROUTING && was <= Session.LIVE) {
            index.unregister(s);
            // while the claim is in flight, the claim's reply deletes the route (ordering: after the SET)
            if ((s.flags & Session.F_ROUTE_WRITTEN) != 0) {
                routes.delete(s.routeKey(), routeValue(s));
            }
        }
    }

    void writabilityChanged(Channel ch) {
        Session s = ch.attr(Disconnector.SESSION).get();
        if (s == null) {
            return;
        }
        if (!ch.isWritable()) {
            SessionWheel wheel = wheels.current();
            if (wheel != null) {
                wheel.watchUnwritable(s);
            }
        } else if (s.state == Session.DRAINING && s.inboxDrain != null && s.inboxDrain.waitingForWritable) {
            s.inboxDrain.waitingForWritable = false;
            pump(s);
        } else if (s.state == Session.LIVE && (s.flags & Session.F_REDRAIN) != 0 && !s.isClosingOrClosed()) {
            redrain(s);
        }
    }

    /**
     * A live push was REJECTED while the channel was not writable, and now it is: that push (and any
     * other refused meanwhile) is only in the inbox, so the inbox is written again with the CONNECT
     * machinery (pages in id order, live pushes held behind it). Ids already written on this
     * connection are written again; the device drops them by id. The session is DRAINING meanwhile,
     * so at most one re-drain runs at a time, and it needs no timer: the next writability change or
     * page read drives it.
     */
    private void redrain(Session s) {
        s.flags &= (byte) ~Session.F_REDRAIN;
        PendingDrain d = new PendingDrain(settings.pendingMax(), 0);
        d.redrain = true;
        d.tagsLoaded = true;
        d.logFinished(); // broadcast-log entries are not inbox entries: they come with the next CONNECT
        s.inboxDrain = d;
        s.state = Session.DRAINING;
        metrics.inboxRedrains.inc();
        pump(s);
    }

    void frame(Channel ch, Object frame) {
        Session s = ch.attr(Disconnector.SESSION).get();
        if (s == null || s.isClosingOrClosed()) {
            return;
        }
        SessionWheel wheel = wheels.current();
        int now = wheel == null ? 0 : wheel.now();
        if (s.state >= Session.DRAINING) {
            followHeartbeat(s, now - s.lastSeenTick);
        }
        s.lastSeenTick = now;
        if (frame == Ping.INSTANCE) {
            metrics.frameIn(FrameType.PING_VALUE);
            if (requireConnected(s, FrameType.PING)) {
                metrics.frameOut(FrameType.PONG);
                ch.writeAndFlush(Frames.PONG.duplicate(), ch.voidPromise());
                maybeRenew(s, now);
            }
        } else if (frame instanceof Ack ack) {
            metrics.frameIn(FrameType.ACK_VALUE);
            if (requireConnected(s, FrameType.ACK)) {
                ack(s, ack);
                maybeRenew(s, now);
            }
        } else if (frame instanceof Connect connect) {
            metrics.frameIn(FrameType.CONNECT_VALUE);
            connect(s, connect);
        } else if (frame instanceof Disconnect bye) {
            metrics.frameIn(FrameType.DISCONNECT_VALUE);
            if (requireConnected(s, FrameType.DISCONNECT)) {
                log.debug("device said goodbye app={} device={} reason=\"{}\"", s.appKey, s.deviceId, bye.getReason());
                s.flags |= Session.F_CLOSING;
                ch.close();
            }
        } else {
            throw new IllegalArgumentException("unexpected inbound message " + frame.getClass().getName());
        }
    }

    /**
     * Devices may lengthen their PING interval within [min, max] (adaptive heartbeat, learned per
     * network). The idle window follows the longest gap seen on this connection, so a device that
     * lengthens its interval by less than (idle factor - 1) times per step is never evicted for it.
     */
    private void followHeartbeat(Session s, int gapTicks) {
        long gapMs = (long) gapTicks * settings.tickMillis();
        if (gapMs > s.heartbeatSeconds * 1000L) {
            s.heartbeatSeconds = (short) Math.min(settings.heartbeatMax(), (gapMs + 999) / 1000);
        }
    }

    private boolean requireConnected(Session s, FrameType type) {
        if (s.state >= Session.DRAINING) {
            return true;
        }
        disconnector.disconnect(s.channel, ErrorCode.NOT_CONNECTED, type + " before CONNACK: send CONNECT and wait"
                + " for CONNACK first");
        return false;
    }

    private void maybeRenew(Session s, int now) {
        if (now - s.renewedTick >= renewTicks) {
            s.renewedTick = now;
            routes.renew(s.routeKey(), routeValue(s), () -> s.state == Session.LIVE || s.state == Session.DRAINING);
        }
    }

    // ---- CONNECT ----

    private void connect(Session s, Connect c) {
        if (s.state != Session.AWAITING_CONNECT) {
            disconnector.disconnect(s.channel, ErrorCode.ALREADY_CONNECTED, "CONNECT was already sent on this connection");
            return;
        }
        if (draining.getAsBoolean()) {
            refuseDraining(s);
            return;
        }
        if (c.getProtocolVersion() != ConnectValidator.PROTOCOL_VERSION) {
            connectFailed(s, ErrorCode.UNSUPPORTED_VERSION, "protocol_version " + Integer.toUnsignedString(
                    c.getProtocolVersion()) + " is not served; this node speaks " + ConnectValidator.PROTOCOL_VERSION);
            return;
        }
        String invalid = ConnectValidator.invalidArgument(c);
        if (invalid != null) {
            connectFailed(s, ErrorCode.INVALID_ARGUMENT, invalid);
            return;
        }
        if (c.getToken().isEmpty() || c.getToken().length() > ConnectValidator.MAX_TOKEN) {
            connectFailed(s, ErrorCode.BAD_TOKEN, "token is missing or longer than " + ConnectValidator.MAX_TOKEN
                    + " characters");
            return;
        }
        s.state = Session.AUTHENTICATING;
        CompletionStage<AppSecrets.App> app;
        try {
            app = apps.get(c.getAppKey());
        } catch (RuntimeException e) {
            storeFailed(s, "app registry", e);
            return;
        }
        app.whenComplete((a, err) -> onLoop(s, () -> authenticated(s, c, a, err)));
    }

    private void authenticated(Session s, Connect c, AppSecrets.App app, Throwable err) {
        if (s.state != Session.AUTHENTICATING || s.isClosingOrClosed()) {
            return;
        }
        if (err != null) {
            storeFailed(s, "app registry", err);
            return;
        }
        if (!app.known()) {
            connectFailed(s, ErrorCode.UNKNOWN_APP, "app_key '" + c.getAppKey() + "' is not registered");
            return;
        }
        switch (DeviceToken.verify(c.getToken(), app.secret(), c.getAppKey(), c.getDeviceId(),
                System.currentTimeMillis() / 1000)) {
            case BAD -> {
                connectFailed(s, ErrorCode.BAD_TOKEN, "token signature or format is wrong for this app and device");
                return;
            }
            case EXPIRED -> {
                connectFailed(s, ErrorCode.TOKEN_EXPIRED, "token has expired; get a new one from your app server");
                return;
            }
            case VALID -> {
            }
        }
        if (draining.getAsBoolean()) {
            refuseDraining(s);
            return;
        }
        s.appKey = index.intern(c.getAppKey());
        s.deviceId = c.getDeviceId();
        s.connectionId = ids.next();
        s.heartbeatSeconds = (short) ConnectValidator.heartbeat(c.getHeartbeatSeconds(), settings.heartbeatMin(),
                settings.heartbeatMax(), settings.heartbeatDefault());
        s.inboxDrain = new PendingDrain(settings.pendingMax(), c.getLastMessageId());
        s.inboxDrain.tagsLoaded = settings.maxTags() == 0;
        s.state = Session.ROUTING;
        String value = routeValue(s);
        CompletionStage<byte[]> claim = index.register(s, (self, previous) -> {
            if (previous != null) {
                metrics.kicksLocal.inc();
                kick(previous, "a newer connection of this device logged in on this node");
            }
            // inside the device's index lock: claims of one device on this node reach Redis in index order
            return routes.claim(self.routeKey(), value);
        });
        loadTags(s);
        claim.whenComplete((previous, e) -> onLoop(s, () -> routed(s, value, previous, e)));
    }

    private void routed(Session s, String value, byte[] previous, Throwable err) {
        s.flags |= Session.F_ROUTE_WRITTEN; // even a timed-out SET may have applied: deleting is safe (compare first)
        // The kick belongs to the route write, not to this session: even if this session is already
        // kicked itself, the connection its SET replaced must go, or that one would survive.
        if (err == null && previous != null) {
            String old = new String(previous, StandardCharsets.UTF_8);
            if (!old.equals(value)) {
                kickPrevious(s, old);
            }
        }
        if (s.state == Session.CLOSED) {
            routes.delete(s.routeKey(), value);
            return;
        }
        if (s.isClosingOrClosed()) {
            return; // the close that is under way deletes the route
        }
        if (err != null) {
            storeFailed(s, "route store", err);
            return;
        }
        SessionWheel wheel = wheels.current();
        int now = wheel == null ? 0 : wheel.now();
        s.renewedTick = now;
        s.state = Session.DRAINING;
        ConnAck ack = ConnAck.newBuilder().setCode(ErrorCode.OK).setSessionId(s.connectionIdText())
                .setHeartbeatSeconds(s.heartbeatSeconds).setHeartbeatMinSeconds(settings.heartbeatMin())
                .setHeartbeatMaxSeconds(settings.heartbeatMax()).setServerTimeMs(System.currentTimeMillis())
                .setNodeId(nodeId).build();
        metrics.connects.inc();
        write(s, FrameType.CONNACK, Frames.encode(s.channel.alloc(), FrameType.CONNACK, ack));
        s.channel.flush();
        if (wheel != null) {
            wheel.schedule(s, now + settings.idleTicks(s.heartbeatSeconds)); // may be sooner than the connect deadline
        }
        log.debug("connected app={} device={} conn={} heartbeat={}", s.appKey, s.deviceId, s.connectionIdText(),
                s.heartbeatSeconds);
        metrics.inboxDrains.inc();
        if (settings.replayMax() == 0) {
            s.inboxDrain.logFinished();
        }
        pump(s);
    }

    private void kickPrevious(Session s, String old) {
        Route previous = Route.parse(old);
        if (previous == null || previous.connectionId().isEmpty()) {
            log.warn("unreadable previous route value app={} device={} value=\"{}\"", s.appKey, s.deviceId, old);
            return;
        }
        if (previous.nodeId().equals(nodeId)) {
            return; // a local previous connection was kicked when this one registered, or is already gone
        }
        kicker.kick(s.appKey, s.deviceId, previous.nodeId(), previous.connectionId());
    }

    private void loadTags(Session s) {
        if (settings.maxTags() == 0) {
            return;
        }
        redis.smembers(RedisKeys.tags(s.appKey, s.deviceId)).whenComplete((members, err) -> onLoop(s, () -> {
            if (!s.acceptsDeliveries() || s.isClosingOrClosed()) {
                return;
            }
            if (err != null) {
                // without its tags the device would miss tag pushes, live and replayed: let it retry
                storeFailed(s, "tags", err);
                return;
            }
            indexTags(s, members);
            PendingDrain d = s.inboxDrain;
            if (d != null) {
                d.tagsLoaded = true;
                pump(s); // the broadcast-log replay waits for the tags
            }
        }));
    }

    /** Puts the device's tags from Redis into the index, replacing the ones it had. Event loop only. */
    private int indexTags(Session s, Set<byte[]> members) {
        List<String> names = new ArrayList<>(members.size());
        for (byte[] m : members) {
            names.add(new String(m, StandardCharsets.UTF_8));
        }
        if (names.size() > settings.maxTags()) {
            log.warn("device has more tags than conn.max-tags-per-device; extra tags ignored app={} device={}"
                    + " tags={}", s.appKey, s.deviceId, names.size());
        }
        return index.replaceTags(s, names, settings.maxTags());
    }

    /**
     * Reloads the device's tags from Redis into the index (RefreshTags, after AddTags/RemoveTags).
     * Any thread. Completes with the number of tags indexed, or -1 when the session is gone; fails
     * with IllegalStateException when Redis does not answer.
     */
    public CompletionStage<Integer> refreshTags(Session s) {
        if (settings.maxTags() == 0) {
            return CompletableFuture.completedFuture(0);
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        redis.smembers(RedisKeys.tags(s.appKey, s.deviceId)).whenComplete((members, err) -> {
            if (err != null) {
                metrics.redisError("tags");
                done.completeExceptionally(new IllegalStateException("tag store unavailable: " + err.getMessage()));
                return;
            }
            try {
                onLoop(s, () -> done.complete(!s.acceptsDeliveries() || s.isClosingOrClosed() ? -1
                        : indexTags(s, members)));
            } catch (RejectedExecutionException stopping) {
                done.complete(-1);
            }
        });
        return done;
    }

    // ---- catch-up on CONNECT: inbox drain merged with the broadcast-log replay ----

    private static boolean catchingUp(Session s, PendingDrain d) {
        return d != null && s.inboxDrain == d && s.state == Session.DRAINING && !s.isClosingOrClosed();
    }

    /**
     * Writes whatever the merge can give, then reads the next page of the source it waits for, or
     * goes live when both are finished. Called after CONNACK and whenever a page or the tags arrive.
     */
    private void pump(Session s) {
        PendingDrain d = s.inboxDrain;
        if (!catchingUp(s, d)) {
            return;
        }
        boolean wrote = false;
        for (InboxEntry e = d.next(); e != null; e = d.next()) {
            writeCatchUp(s, d, e);
            wrote = true;
        }
        if (wrote) {
            s.channel.flush();
        }
        if (d.finished()) {
            replayEnded(s, d);
            goLive(s);
            return;
        }
        if (!s.channel.isWritable()) {
            d.waitingForWritable = true; // resumed by writabilityChanged; a reader that never drains is a slow reader
            return;
        }
        if (d.needsInbox() && !d.inboxReading) {
            readInboxPage(s, d);
        }
        if (d.needsLog() && !d.logReading && d.tagsLoaded) {
            readLog(s, d);
        }
    }

    private void writeCatchUp(Session s, PendingDrain d, InboxEntry e) {
        d.drained(e.id());
        if (d.fromInbox(e)) {
            if (d.lastSeenHint != 0 && Long.compareUnsigned(e.id(), d.lastSeenHint) <= 0) {
                metrics.inboxRedelivered.inc();
            }
            metrics.inboxDrained.inc();
            metrics.pushesInbox.inc();
        } else {
            metrics.replayWritten.inc();
            metrics.pushesReplay.inc();
        }
        write(s, FrameType.PUSH, Frames.encodeRaw(s.channel.alloc(), FrameType.PUSH, e.body()));
    }

    private void readInboxPage(Session s, PendingDrain d) {
        int want = Math.min(settings.inboxPage(), settings.inboxDrainMax() - d.total);
        d.inboxReading = true;
        inbox.readPage(s.appKey, s.deviceId, d.cursor, want)
                .whenComplete((page, err) -> onLoop(s, () -> inboxPageRead(s, d, page, err, want)));
    }

    private void inboxPageRead(Session s, PendingDrain d, List<InboxEntry> page, Throwable err, int asked) {
        if (!catchingUp(s, d)) {
            return;
        }
        if (err != null) {
            if (d.redrain) {
                // the connection is fine and was live: stay live, the rest of the inbox comes with the next CONNECT
                metrics.redisError("inbox_redrain");
                log.warn("inbox re-drain stopped early app={} device={} error=\"{}\"", s.appKey, s.deviceId,
                        err.toString());
                goLive(s);
                return;
            }
            // going live without the inbox would put live messages before older ones: retry on reconnect
            storeFailed(s, "inbox", err);
            return;
        }
        long now = System.currentTimeMillis();
        List<InboxEntry> deliverable = new ArrayList<>(page.size());
        for (InboxEntry e : page) {
            d.cursor = e.member();
            if (e.body() == null || e.id() == 0) {
                inbox.expire(s.appKey, s.deviceId, e);
                continue;
            }
            long expiresAt;
            try {
                expiresAt = PushBodies.expiresAtMs(e.body());
            } catch (InvalidProtocolBufferException ex) {
                log.warn("unreadable message body removed from inbox app={} device={} id={}", s.appKey, s.deviceId,
                        Long.toUnsignedString(e.id()));
                inbox.expire(s.appKey, s.deviceId, e);
                continue;
            }
            if (expiresAt != 0 && expiresAt < now) {
                inbox.expire(s.appKey, s.deviceId, e);
                continue;
            }
            deliverable.add(e);
        }
        d.total += deliverable.size();
        d.inboxPage(deliverable, page.size() < asked || d.total >= settings.inboxDrainMax());
        pump(s);
    }

    /** The position first (once), then a page. Runs only after the device's tags are in the index. */
    private void readLog(Session s, PendingDrain d) {
        d.logReading = true;
        if (d.logCursor != null) {
            readLogPage(s, d);
            return;
        }
        metrics.replays.inc();
        broadcasts.position(s.appKey, s.deviceId).whenComplete((seen, err) -> onLoop(s, () -> {
            if (!catchingUp(s, d)) {
                return;
            }
            if (err != null) {
                replayFailed(s, d, err);
                return;
            }
            d.logCursor = BroadcastLog.start(seen, d.lastSeenHint);
            readLogPage(s, d);
        }));
    }

    private void readLogPage(Session s, PendingDrain d) {
        int want = Math.min(settings.replayPage(), settings.replayMax() - d.logSeen);
        broadcasts.readPage(s.appKey, d.logCursor, want)
                .whenComplete((page, err) -> onLoop(s, () -> logPageRead(s, d, page, err, want)));
    }

    /** Keeps the entries whose filter matches the device's tags (as FanOut would), then fetches their bodies. */
    private void logPageRead(Session s, PendingDrain d, BroadcastLog.Page page, Throwable err, int asked) {
        if (!catchingUp(s, d)) {
            return;
        }
        if (err != null) {
            replayFailed(s, d, err);
            return;
        }
        int n = page.size();
        d.logSeen += n;
        boolean last = n < asked || d.logSeen >= settings.replayMax();
        if (n == 0) {
            d.logPage(List.of(), true);
            pump(s);
            return;
        }
        long[] ids = new long[n];
        String[] members = new String[n];
        int matched = 0;
        for (int i = 0; i < n; i++) {
            String member = page.member(i);
            long id = Inbox.parseMember(member);
            byte[] filter = page.filters().get(i);
            if (id == 0 || filter == null) {
                metrics.replayUnreadable.inc();
                continue;
            }
            if (filter.length > 0) { // empty = every device of the app
                TagFilter f;
                try {
                    f = TagFilter.parseFrom(filter);
                } catch (InvalidProtocolBufferException e) {
                    metrics.replayUnreadable.inc();
                    continue;
                }
                if (!index.matches(s, f)) {
                    metrics.replayNotForDevice.inc();
                    continue;
                }
            }
            ids[matched] = id;
            members[matched++] = member;
        }
        String reached = page.member(n - 1);
        int count = matched;
        broadcasts.bodies(ids, count).whenComplete((bodies, e) -> onLoop(s,
                () -> logBodiesRead(s, d, ids, members, count, bodies, e, reached, last)));
    }

    private void logBodiesRead(Session s, PendingDrain d, long[] ids, String[] members, int n,
                               List<KeyValue<String, byte[]>> bodies, Throwable err, String reached, boolean last) {
        if (!catchingUp(s, d)) {
            return;
        }
        if (err != null) {
            replayFailed(s, d, err);
            return;
        }
        long now = System.currentTimeMillis();
        List<InboxEntry> deliverable = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KeyValue<String, byte[]> kv = bodies.get(i);
            byte[] body = kv.hasValue() && RedisKeys.isBody(kv.getValue()) ? kv.getValue() : null;
            long expiresAt = 0;
            if (body != null) {
                try {
                    expiresAt = PushBodies.expiresAtMs(body);
                } catch (InvalidProtocolBufferException ex) {
                    metrics.replayUnreadable.inc();
                    continue;
                }
            }
            if (body == null || (expiresAt != 0 && expiresAt < now)) {
                metrics.replayGone.inc(); // expired or revoked: skipped, and counted once the stat says which
                inbox.countUndelivered(ids[i]);
                continue;
            }
            deliverable.add(new InboxEntry(members[i], ids[i], body));
        }
        d.logCursor = reached;
        d.logReached = reached; // every entry up to here is written below or skipped
        d.logPage(deliverable, last);
        pump(s);
    }

    /** A log read failed: the catch-up goes on without the rest of the log, which the next CONNECT replays. */
    private void replayFailed(Session s, PendingDrain d, Throwable err) {
        metrics.redisError("broadcast_log");
        log.warn("broadcast-log replay stopped early; the rest comes with the next CONNECT app={} device={}"
                + " error=\"{}\"", s.appKey, s.deviceId, err.toString());
        d.logFinished();
        pump(s);
    }

    /**
     * Moves ll:seen past the entries looked at: at once when none was written (or the device already
     * ACKed the last one), else when the device ACKs the last replayed id, so that an entry the
     * device never received is replayed again on its next CONNECT.
     */
    private void replayEnded(Session s, PendingDrain d) {
        if (d.logReached == null) {
            return;
        }
        if (d.lastReplayed == 0 || d.lastReplayedAcked) {
            broadcasts.markSeen(s.appKey, s.deviceId, d.logReached);
        } else {
            s.replayMark = new ReplayMark(d.lastReplayed, d.logReached);
        }
    }

    private void goLive(Session s) {
        PendingDrain d = s.inboxDrain;
        s.inboxDrain = null;
        s.state = Session.LIVE;
        ArrayDeque<Push> held = d == null ? null : d.pending();
        if (held == null) {
            return;
        }
        for (Push p : held) {
            if (!d.wasDrained(p.getMessageId())) {
                metrics.pushesLive.inc();
                write(s, FrameType.PUSH, Frames.encode(s.channel.alloc(), FrameType.PUSH, p));
            }
        }
        s.channel.flush();
    }

    // ---- ACK ----

    private void ack(Session s, Ack a) {
        int n = a.getMessageIdsCount();
        if (n == 0) {
            return;
        }
        long[] idsAcked = new long[n];
        ReplayMark mark = s.replayMark;
        PendingDrain d = s.inboxDrain;
        long lastReplayed = d == null ? 0 : d.lastReplayed;
        for (int i = 0; i < n; i++) {
            long id = a.getMessageIds(i);
            idsAcked[i] = id;
            if (mark != null && id == mark.id()) {
                s.replayMark = null;
                broadcasts.markSeen(s.appKey, s.deviceId, mark.member());
                mark = null;
            }
            if (lastReplayed != 0 && id == lastReplayed) {
                d.lastReplayedAcked = true;
            }
        }
        metrics.ackIds.inc(n);
        s.flags &= ~Session.F_ACK_LATE;
        AckWaits waits = s.ackWaits;
        if (waits != null) {
            // copies acknowledged while their batch still waited never reached the inbox: nothing to remove
            int kept = 0;
            for (int i = 0; i < n; i++) {
                long id = idsAcked[i];
                if (waits.ackedInTime(id)) {
                    inbox.ackedLive(s.appKey, s.deviceId, id);
                } else {
                    idsAcked[kept++] = id;
                }
            }
            if (waits.isEmpty()) {
                s.ackWaits = null;
            }
            if (kept == 0) {
                return;
            }
            if (kept < n) {
                idsAcked = Arrays.copyOf(idsAcked, kept);
            }
        }
        inbox.ack(s.appKey, s.deviceId, idsAcked);
    }

    // ---- deliveries (called on the session's loop by the rpc layer; the caller flushes) ----

    /** A live push for this session: written, held behind the drain, or refused. */
    public Outcome deliver(Session s, Push push) {
        if (s.isClosingOrClosed() || !s.acceptsDeliveries()) {
            return Outcome.NOT_HERE;
        }
        if (s.state != Session.LIVE) {
            return s.inboxDrain != null && s.inboxDrain.hold(push) ? Outcome.WRITTEN : Outcome.REJECTED;
        }
        if (!s.channel.isWritable()) {
            watchUnwritable(s);
            s.flags |= Session.F_REDRAIN; // the push is in the inbox: written again when the channel drains
            return Outcome.REJECTED;
        }
        metrics.pushesLive.inc();
        write(s, FrameType.PUSH, Frames.encode(s.channel.alloc(), FrameType.PUSH, push));
        return Outcome.WRITTEN;
    }

    /**
     * A live push the router has not written to the inbox: as {@link #deliver(Session, Push)}, and
     * when it was written to the socket now (not held, not refused) it waits for the device's ACK on
     * {@code waiter}, unless this device left an earlier awaited copy unacknowledged (then the router
     * stores it at once instead of waiting again for a device that may be gone).
     */
    public Outcome deliver(Session s, Push push, AckWaiter waiter, int index) {
        boolean live = s.state == Session.LIVE;
        Outcome o = deliver(s, push);
        if (o != Outcome.WRITTEN || !live || waiter == null) {
            return o;
        }
        AckWaits waits = s.ackWaits;
        if (waits != null && waits.dropAnswered()) {
            s.flags |= Session.F_ACK_LATE;
        }
        if ((s.flags & Session.F_ACK_LATE) != 0) {
            return o;
        }
        if (waits == null) {
            waits = s.ackWaits = new AckWaits();
        }
        if (waits.add(push.getMessageId(), waiter, index)) {
            waiter.awaiting(index);
        }
        return o;
    }

    /** A fan-out push: {@code frame} is the shared encoded PUSH (this takes its own reference). */
    public boolean fanOut(Session s, ByteBuf frame, Push push) {
        if (s.isClosingOrClosed() || !s.acceptsDeliveries()) {
            return false;
        }
        if (s.state != Session.LIVE) {
            return s.inboxDrain != null && s.inboxDrain.hold(push);
        }
        if (!s.channel.isWritable()) {
            watchUnwritable(s);
            return false;
        }
        metrics.pushesFanOut.inc();
        write(s, FrameType.PUSH, frame.retainedDuplicate());
        return true;
    }

    private void watchUnwritable(Session s) {
        SessionWheel wheel = wheels.current();
        if (wheel != null) {
            wheel.watchUnwritable(s);
        }
    }

    /**
     * Closes with KICK: another connection of the same device took over. Any thread; always runs
     * later on the session's loop, never inline (it may be called under the index's device lock).
     */
    public void kick(Session s, String reason) {
        try {
            s.channel.eventLoop().execute(() -> disconnector.disconnect(s.channel, ErrorCode.KICKED, reason,
                    Frames.encode(s.channel.alloc(), FrameType.KICK, Kick.newBuilder().setReason(reason).build())));
        } catch (RejectedExecutionException stopping) {
            s.channel.close(); // the node is stopping: its event loops close every connection anyway
        }
    }

    /** Closes with REDIRECT (drain). Any thread. */
    public void redirect(Session s, Redirect redirect) {
        metrics.redirects.inc();
        onLoop(s, () -> disconnector.disconnect(s.channel, ErrorCode.SERVER_DRAINING, redirect.getReason(),
                Frames.encode(s.channel.alloc(), FrameType.REDIRECT, redirect)));
    }

    // ---- wheel policy ----

    @Override
    public int deadline(Session s, int now) {
        return switch (s.state) {
            case Session.AWAITING_CONNECT -> s.lastSeenTick + connectTicks;
            case Session.AUTHENTICATING, Session.ROUTING -> s.lastSeenTick + connectTicks + storeTicks;
            default -> s.lastSeenTick + settings.idleTicks(s.heartbeatSeconds);
        };
    }

    @Override
    public void expired(Session s) {
        if ((s.flags & Session.F_CLOSING) != 0) {
            s.channel.close(); // the ERROR write never completed
            return;
        }
        switch (s.state) {
            case Session.AWAITING_CONNECT -> {
                metrics.connectTimeouts.inc();
                disconnector.disconnect(s.channel, ErrorCode.CONNECT_TIMEOUT, "no CONNECT within "
                        + settings.connectTimeoutMs() + " ms of connecting");
            }
            case Session.AUTHENTICATING, Session.ROUTING ->
                    disconnector.disconnect(s.channel, ErrorCode.INTERNAL, "the node could not complete the CONNECT"
                            + " in time; retry with backoff");
            default -> {
                metrics.idleEvictions.inc();
                disconnector.disconnect(s.channel, ErrorCode.IDLE_TIMEOUT, "no frame within "
                        + (s.heartbeatSeconds * settings.idleFactor()) + " s (heartbeat " + s.heartbeatSeconds
                        + " s x " + settings.idleFactor() + ")");
            }
        }
    }

    @Override
    public void slowReader(Session s) {
        metrics.slowReaderCloses.inc();
        disconnector.disconnect(s.channel, ErrorCode.SLOW_READER, "the device did not read for "
                + settings.slowReaderMs() + " ms; undelivered messages stay in its inbox");
    }

    @Override
    public int slowReaderTicks() {
        return slowReaderTicks;
    }

    // ---- helpers ----

    private void connectFailed(Session s, ErrorCode code, String reason) {
        metrics.connectFailure(code);
        disconnector.disconnect(s.channel, code, reason,
                Frames.connAckFailure(s.channel.alloc(), code, reason, nodeId));
    }

    private void storeFailed(Session s, String what, Throwable err) {
        metrics.redisError(what.replace(' ', '_'));
        log.warn("store error during CONNECT what=\"{}\" app={} device={} error=\"{}\"", what, s.appKey, s.deviceId,
                err.toString());
        if (s.state >= Session.DRAINING) {
            disconnector.disconnect(s.channel, ErrorCode.INTERNAL, what + " unavailable; reconnect with backoff");
        } else {
            connectFailed(s, ErrorCode.INTERNAL, what + " unavailable; retry with backoff");
        }
    }

    private void refuseDraining(Session s) {
        Redirect r = redirects.get();
        metrics.connectFailure(ErrorCode.SERVER_DRAINING);
        disconnector.disconnect(s.channel, ErrorCode.SERVER_DRAINING, r.getReason(),
                Frames.connAckFailure(s.channel.alloc(), ErrorCode.SERVER_DRAINING, r.getReason(), nodeId),
                Frames.encode(s.channel.alloc(), FrameType.REDIRECT, r));
    }

    private void write(Session s, FrameType type, ByteBuf frame) {
        metrics.frameOut(type);
        s.channel.write(frame, s.channel.voidPromise());
    }

    private String routeValue(Session s) {
        return RedisKeys.routeValue(nodeId, s.connectionIdText());
    }

    private static void onLoop(Session s, Runnable r) {
        if (s.channel.eventLoop().inEventLoop()) {
            r.run();
        } else {
            s.channel.eventLoop().execute(r);
        }
    }

    @Override
    public void close() {
        wheels.close();
    }
}
