package io.longlink.conn;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.longlink.common.admin.AdminServer;
import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.conn.auth.AppSecrets;
import io.longlink.conn.auth.SecretRotations;
import io.longlink.conn.broadcast.BroadcastLog;
import io.longlink.conn.broadcast.FanOutAcks;
import io.longlink.conn.broadcast.FanOutCopies;
import io.longlink.conn.drain.Drainer;
import io.longlink.conn.inbox.Inbox;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.mqtt.MqttDeviceInitializer;
import io.longlink.conn.receipt.KafkaReceipts;
import io.longlink.conn.receipt.ReceiptSink;
import io.longlink.conn.route.PeerKicker;
import io.longlink.conn.route.RouteStore;
import io.longlink.conn.rpc.ConnNodeService;
import io.longlink.conn.session.AppConnections;
import io.longlink.conn.session.ConnectLimits;
import io.longlink.conn.session.Disconnector;
import io.longlink.conn.session.SessionIndex;
import io.longlink.conn.session.SessionLayer;
import io.longlink.conn.session.SessionSettings;
import io.longlink.conn.session.SessionStores;
import io.longlink.conn.store.RedisBatcher;
import io.longlink.conn.tag.TagStore;
import io.longlink.conn.tcp.DeviceListener;
import io.longlink.conn.tcp.ExceptionHandler;
import io.longlink.conn.tcp.TcpDeviceInitializer;
import io.longlink.conn.tcp.TlsContexts;
import io.longlink.conn.tcp.Transport;
import io.longlink.conn.web.HttpListenerInitializer;
import io.longlink.conn.web.WebDeviceInitializer;
import io.longlink.conn.web.WebOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conn-node: holds device connections, authenticates them, keeps their routes in Redis, drains
 * their inboxes, pushes what routers deliver and takes ACKs.
 *
 * <p>Start (inside {@link BaseNode#start}): stores, event loops, membership view, device listener
 * (bound, not yet accepting), gRPC; then the membership entry is written and, once this node sees
 * itself in the membership, the listener accepts. Stop: stop accepting and mark the membership entry
 * draining, redirect clients at the drain rate while routers still deliver to those left, leave the
 * membership once none is, stop gRPC and the event loops, flush batched Redis writes.
 */
public final class ConnNode extends BaseNode {
    public static final String ROLE = "conn";
    /** The membership endpoint key of the MQTT listener (the TCP one is "device"). */
    public static final String MQTT_ENDPOINT = "mqtt";
    private static final Logger log = LoggerFactory.getLogger(ConnNode.class);

    private final Runnable exitAfterAdminDrain;
    private final long shutdownTimeoutMs;
    private ConnMetrics connMetrics;
    private RedisStore redis;
    private RedisBatcher batcher;
    private ReceiptSink receipts = ReceiptSink.NONE;
    private EventLoopGroup boss;
    private MultiThreadIoEventLoopGroup workers;
    private Membership membership;
    private PeerKicker kicker;
    private SessionLayer sessions;
    private Drainer drainer;
    private DeviceListener listener;
    /** Null unless conn.mqtt.port is set. */
    private DeviceListener mqttListener;
    /** The web (WebSocket) listener, or null when conn.ws.port is -1. */
    private DeviceListener webListener;
    /** The HTTP session (SSE, long-poll) listener, or null when conn.http.port is -1. */
    private DeviceListener httpListener;
    private Server grpc;
    private ScheduledExecutorService scheduler;
    private ScheduledExecutorService fanOutExecutor;
    private FanOutAcks fanOutAcks;
    private SecretRotations rotations;

    public ConnNode(Config config) throws ConfigException {
        this(config, () -> {
        });
    }

    /**
     * @param exitAfterAdminDrain runs (on its own thread) when a drain asked for on the admin port has
     *                            finished or timed out; the process main passes {@code System.exit(0)}
     */
    public ConnNode(Config config, Runnable exitAfterAdminDrain) throws ConfigException {
        super(ROLE, config, ConnSettings.ADMIN_PORT);
        ConnSettings.validate(config);
        this.exitAfterAdminDrain = requireNonNull(exitAfterAdminDrain, "exitAfterAdminDrain");
        this.shutdownTimeoutMs = config.get(NodeSettings.SHUTDOWN_TIMEOUT_MS);
    }

    @Override
    protected void startRole(CuratorFramework zk) throws Exception {
        SessionIndex index = new SessionIndex();
        connMetrics = new ConnMetrics(metrics, index::size, () -> sessions == null ? 0 : sessions.sockets());
        redis = RedisStore.open(config);
        batcher = new RedisBatcher(RedisStore.open(config), config.get(ConnSettings.REDIS_BATCH_QUEUE),
                config.get(ConnSettings.REDIS_BATCH_SIZE), connMetrics);
        if (config.get(ConnSettings.RECEIPTS_ENABLED)) {
            receipts = new KafkaReceipts(config.get(KafkaSettings.BOOTSTRAP), config.get(KafkaSettings.RECEIPT_TOPIC),
                    config.get(ConnSettings.RECEIPTS_LINGER_MS), config.get(ConnSettings.RECEIPTS_MAX_BLOCK_MS),
                    config.get(ConnSettings.RECEIPTS_QUEUE), nodeId, connMetrics);
        }
        Transport transport = Transport.detect();
        boss = transport.newGroup(1, "conn-accept");
        workers = transport.newGroup(config.get(ConnSettings.IO_THREADS), "conn-io");
        log.info("transport={} ioThreads={}", transport, workers.executorCount());
        scheduler = Executors.newSingleThreadScheduledExecutor(daemon("conn-scheduler"));
        ScheduledThreadPoolExecutor fanOut = new ScheduledThreadPoolExecutor(1, daemon("conn-fanout"));
        fanOut.setRemoveOnCancelPolicy(true);
        fanOutExecutor = fanOut;

        membership = new Membership(zk, ROLE);
        kicker = new PeerKicker(ROLE, membership, zk, config.get(ConnSettings.KICK_TIMEOUT_MS), scheduler, workers,
                transport.socketChannelType(), internalTls(), connMetrics);
        AppSecrets apps = new AppSecrets(appKey -> redis.async().hget(RedisKeys.app(appKey), RedisKeys.APP_SECRET)
                .thenApply(b -> b == null ? null : new String(b, StandardCharsets.UTF_8)),
                config.get(ConnSettings.APP_CACHE_SIZE), config.get(ConnSettings.APP_CACHE_TTL_MS),
                config.get(ConnSettings.APP_CACHE_NEGATIVE_TTL_MS), System::nanoTime);
        RouteStore routes = new RouteStore(redis.async(), batcher, config.get(ConnSettings.ROUTE_TTL_MS), connMetrics);
        Inbox inbox = new Inbox(redis.async(), batcher, receipts, connMetrics);
        fanOutAcks = new FanOutAcks(batcher::offer, receipts, config.get(ConnSettings.RECEIPTS_FANOUT_ACKED),
                connMetrics);
        scheduler.scheduleWithFixedDelay(fanOutAcks::flush, 1, 1, TimeUnit.SECONDS);
        BroadcastLog broadcasts = new BroadcastLog(redis.async(), batcher, fanOutAcks);
        FanOutCopies copies = new FanOutCopies();
        Disconnector disconnector = new Disconnector(connMetrics);
        Drainer[] drainerRef = new Drainer[1];
        SessionStores stores = new SessionStores(apps::get, routes, kicker, inbox, broadcasts,
                new TagStore(redis.async()));
        sessions = new SessionLayer(nodeId, SessionSettings.from(config), connMetrics, index, disconnector, stores,
                copies, workers, () -> drainerRef[0].isDraining(), ch -> drainerRef[0].redirect(ch),
                ConnectLimits.from(config));
        drainer = new Drainer(nodeId, sessions, membership, scheduler, config.get(ConnSettings.DRAIN_RATE_PER_S),
                config.get(ConnSettings.DRAIN_RETRY_AFTER_MS), () -> {
                    setReady(false);
                    if (listener != null) {
                        listener.stopAccepting();
                    }
                    if (mqttListener != null) {
                        mqttListener.stopAccepting();
                    }
                    if (webListener != null) {
                        webListener.stopAccepting();
                    }
                    if (httpListener != null) {
                        httpListener.stopAccepting();
                    }
                }, this::markDraining, this::deregister, DeviceListener::endpointOf);
        drainerRef[0] = drainer;
        rotations = new SecretRotations(zk, index, sessions.connectionIds()::current, apps::forget,
                sessions.delivery()::secretRotated, scheduler, config.get(ConnSettings.DRAIN_RATE_PER_S),
                config.get(ConnSettings.ROTATION_CLOSE_S));
        rotations.start();

        SslContext tls = TlsContexts.server(config.get(ConnSettings.TLS_CERT), config.get(ConnSettings.TLS_KEY));
        DeviceListener.Options socketOptions = new DeviceListener.Options(config.get(ConnSettings.BACKLOG),
                config.get(ConnSettings.RECV_BUFFER_BYTES), config.get(ConnSettings.SO_SNDBUF),
                config.get(ConnSettings.WRITE_LOW_WATER), config.get(ConnSettings.WRITE_HIGH_WATER));
        ExceptionHandler exceptions = new ExceptionHandler(disconnector);
        listener = DeviceListener.bind(DeviceListener.DEVICE_ENDPOINT, transport, boss, workers,
                config.get(ConnSettings.DEVICE_HOST), config.get(ConnSettings.DEVICE_PORT), socketOptions,
                new TcpDeviceInitializer(tls, sessions.handler(), exceptions, config.get(ConnSettings.MAX_FRAME_BYTES),
                        sessions.frameErrors()));
        if (config.get(ConnSettings.MQTT_PORT) >= 0) {
            mqttListener = DeviceListener.bind(MQTT_ENDPOINT, transport, boss, workers,
                    config.get(ConnSettings.DEVICE_HOST), config.get(ConnSettings.MQTT_PORT), socketOptions,
                    new MqttDeviceInitializer(tls, sessions.handler(), exceptions,
                            config.get(ConnSettings.MAX_FRAME_BYTES), config.get(ConnSettings.MQTT_INFLIGHT_MAX),
                            sessions.frameErrors()));
        }
        WebOptions web = WebOptions.from(config);
        if (config.get(ConnSettings.HTTP_PORT) >= 0) {
            httpListener = DeviceListener.bind(HttpListenerInitializer.ENDPOINT, transport, boss, workers,
                    config.get(ConnSettings.DEVICE_HOST), config.get(ConnSettings.HTTP_PORT), socketOptions,
                    new HttpListenerInitializer(tls, sessions.handler(), exceptions, web, sessions.frameErrors(), workers,
                            new WriteBufferWaterMark(config.get(ConnSettings.WRITE_LOW_WATER),
                                    config.get(ConnSettings.WRITE_HIGH_WATER)),
                            config.get(ConnSettings.HTTP_POLL_HOLD_MS), config.get(ConnSettings.CONNECT_TIMEOUT_MS)));
            web = web.withHttpPort(httpListener.address().getPort());
        }
        if (config.get(ConnSettings.WS_PORT) >= 0) {
            webListener = DeviceListener.bind(WebDeviceInitializer.ENDPOINT, transport, boss, workers,
                    config.get(ConnSettings.DEVICE_HOST), config.get(ConnSettings.WS_PORT), socketOptions,
                    new WebDeviceInitializer(tls, sessions.handler(), exceptions, web, sessions.frameErrors()));
        }

        InetSocketAddress grpcBind = new InetSocketAddress(config.get(ConnSettings.GRPC_HOST),
                config.get(ConnSettings.GRPC_PORT));
        GrpcErrors errors = new GrpcErrors(ROLE + "-node");
        ConnNodeService service = new ConnNodeService(sessions, copies, fanOutExecutor,
                config.get(ConnSettings.FANOUT_MAX_CONCURRENT), config.get(ConnSettings.FANOUT_SPREADS_MAX),
                config.get(ConnSettings.FANOUT_LINGER_MS), batcher,
                config.get(ConnSettings.DELIVER_WINDOW), connMetrics, errors);
        try {
            grpc = internalTls().applyTo(NettyServerBuilder.forAddress(grpcBind))
                    .channelType(transport.serverChannelType())
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .directExecutor() // handlers only look up and enqueue; FanOut matching has its own thread
                    .maxInboundMessageSize(config.get(ConnSettings.GRPC_MAX_MESSAGE_BYTES))
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .addService(ServerInterceptors.intercept(service, errors))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new IOException("conn.grpc.port: cannot listen on " + grpcBind + " (" + e.getMessage() + ")", e);
        }

        membership.addListener(new Membership.Listener() {
            @Override
            public void joined(NodeInfo node) {
                if (node.id().equals(nodeId)) {
                    startAccepting(); // peers can now see this node, so its routes can be kicked
                }
            }

            @Override
            public void left(NodeInfo node) {
            }
        });
        membership.start();
        long loadEvery = config.get(ConnSettings.LOAD_PUBLISH_MS);
        scheduler.scheduleWithFixedDelay(this::publishLoad, loadEvery, loadEvery, TimeUnit.MILLISECONDS);
    }

    /** Also the fallback that opens the listener should the membership event be missed. */
    private void publishLoad() {
        try {
            if (!isReady() || drainer.isDraining()) {
                return;
            }
            startAccepting();
            registration().updateLoad(sessions.index().size());
        } catch (Exception e) {
            log.warn("cannot publish load error=\"{}\"", e.toString());
        }
    }

    private void startAccepting() {
        listener.startAccepting();
        if (mqttListener != null) {
            mqttListener.startAccepting();
        }
        if (webListener != null) {
            webListener.startAccepting();
        }
        if (httpListener != null) {
            httpListener.startAccepting();
        }
    }

    @Override
    protected Map<String, String> endpoints() {
        String host = config.get(NodeSettings.ADVERTISE_HOST);
        Map<String, String> endpoints = new HashMap<>();
        endpoints.put(DeviceListener.DEVICE_ENDPOINT, host + ":" + listener.address().getPort());
        endpoints.put("grpc", host + ":" + grpc.getPort());
        if (mqttListener != null) {
            endpoints.put(MQTT_ENDPOINT, host + ":" + mqttListener.address().getPort());
        }
        if (webListener != null) {
            endpoints.put(WebDeviceInitializer.ENDPOINT, host + ":" + webListener.address().getPort());
        }
        if (httpListener != null) {
            endpoints.put(HttpListenerInitializer.ENDPOINT, host + ":" + httpListener.address().getPort());
        }
        return Map.copyOf(endpoints);
    }

    @Override
    protected void addAdminRoutes(AdminServer admin) {
        admin.route("/connections", "GET", query -> {
            SessionLayer s = sessions;
            return s == null ? new AdminServer.AdminHandler.Reply(503, "not started\n")
                    : new AppConnections(s.index()).handle(query);
        });
        admin.route("/drain", "POST", query -> {
            Drainer d = drainer;
            if (d == null) {
                return new AdminServer.AdminHandler.Reply(503, "not started\n");
            }
            boolean first = !d.isDraining();
            int connections = sessions.index().size();
            // a copy: orTimeout completes the future it is called on, and stopRole still waits on the original
            d.drain().copy().orTimeout(shutdownTimeoutMs, TimeUnit.MILLISECONDS).whenComplete((x, e) -> {
                if (first) {
                    if (e != null) {
                        log.warn("drain did not finish within node.shutdown-timeout-ms={}; exiting anyway",
                                shutdownTimeoutMs);
                    }
                    Thread exit = new Thread(exitAfterAdminDrain, "drain-exit");
                    exit.start();
                }
            });
            return new AdminServer.AdminHandler.Reply(202, "draining node=" + nodeId + " connections=" + connections
                    + "\n");
        });
    }

    /** Publishes the draining state; a node that never registered has nothing to publish. */
    private void markDraining() {
        try {
            if (registration() != null) {
                registration().markDraining();
            }
        } catch (Exception e) {
            log.warn("cannot publish the draining state error=\"{}\"", e.toString());
        }
    }

    /**
     * A stop drains first, while the node is still in the membership (marked draining): routers keep
     * delivering to the devices not yet redirected. The membership entry goes with the last of them.
     */
    @Override
    protected void stopAccepting() {
        if (drainer == null) {
            return;
        }
        try {
            drainer.drain().get(shutdownTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("drain did not finish within node.shutdown-timeout-ms={}; closing remaining connections",
                    shutdownTimeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void stopRole() {
        // each step runs even if an earlier one failed, in this order: RPC in, peers, timers, sockets,
        // then the batched Redis writes those closes queued, then the stores
        quietly("stop gRPC", () -> {
            grpc.shutdown();
            if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
                grpc.shutdownNow();
            }
        }, grpc);
        quietly("close peer channels", () -> kicker.close(), kicker);
        quietly("stop watching secret rotations", () -> rotations.close(), rotations);
        quietly("stop timing wheels", () -> sessions.close(), sessions);
        quietly("close connections", () -> {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }, workers);
        quietly("stop executors", () -> {
            fanOutExecutor.shutdownNow();
            scheduler.shutdownNow();
        }, scheduler);
        quietly("close membership view", () -> membership.close(), membership);
        quietly("count the last fan-out ACKs", () -> fanOutAcks.flush(), fanOutAcks);
        quietly("flush batched Redis writes", () -> batcher.close(), batcher);
        quietly("close receipts", () -> receipts.close(), receipts);
        quietly("close Redis", () -> redis.close(), redis);
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Runs a shutdown step if what it closes was created; a failure is logged and the next step runs. */
    private static void quietly(String what, Step step, Object created) {
        if (created == null) {
            return;
        }
        try {
            step.run();
        } catch (Exception e) {
            log.warn("shutdown step failed step=\"{}\"", what, e);
        }
    }

    /** The bound device listener address (port 0 in the config = the port chosen by the OS). */
    public InetSocketAddress deviceAddress() {
        return listener.address();
    }

    /** The bound MQTT listener address, or null without one (conn.mqtt.port -1). */
    public InetSocketAddress mqttAddress() {
        return mqttListener == null ? null : mqttListener.address();
    }

    /** The bound web listener address; null when conn.ws.port is -1. */
    public InetSocketAddress webAddress() {
        return webListener == null ? null : webListener.address();
    }

    /** The bound HTTP session listener address; null when conn.http.port is -1. */
    public InetSocketAddress httpAddress() {
        return httpListener == null ? null : httpListener.address();
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    /** The node's metrics for tests and tools; null before start. */
    public ConnMetrics connMetrics() {
        return connMetrics;
    }

    public SessionIndex sessionIndex() {
        return sessions.index();
    }

    public boolean isDraining() {
        return drainer != null && drainer.isDraining();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
