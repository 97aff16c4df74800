package io.longlink.api;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.longlink.api.apps.App;
import io.longlink.api.apps.AppAdminGrpcService;
import io.longlink.api.apps.AppStore;
import io.longlink.api.auth.AuthInterceptor;
import io.longlink.api.bootstrap.BootstrapGrpcService;
import io.longlink.api.device.DeviceGrpcService;
import io.longlink.api.device.DeviceStore;
import io.longlink.api.device.TagRefresher;
import io.longlink.api.id.MessageIds;
import io.longlink.api.id.WorkerIdLease;
import io.longlink.api.push.CommandPublisher;
import io.longlink.api.push.MessageStore;
import io.longlink.api.push.PushAcceptor;
import io.longlink.api.push.PushGrpcService;
import io.longlink.api.push.PushLimits;
import io.longlink.api.push.RequestIdReservations;
import io.longlink.api.quota.FanOutAdmission;
import io.longlink.api.quota.PushQuotas;
import io.longlink.api.quota.Quota;
import io.longlink.api.receipt.ReceiptHub;
import io.longlink.common.config.Config;
import io.longlink.common.auth.AppSecretCache;
import io.longlink.common.discovery.Membership;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisSettings;
import io.longlink.common.redis.RedisStore;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.apache.curator.framework.CuratorFramework;

/** The api-node: the public gRPC API that business systems call. Stateless; run as many as needed. */
public final class ApiNode extends BaseNode {
    public static final String ROLE = "api";
    private static final String CONN_ROLE = "conn";
    /** How often the routers' lag reports are read for fan-out admission (they write every 250 ms). */
    private static final long LAG_READ_MS = 250;

    private final HealthStatusManager health = new HealthStatusManager();
    private final LongSupplier clock;
    private RedisStore redis;
    private RedisStore batchRedis;
    private WorkerIdLease lease;
    private Membership connNodes;
    private Membership apiNodes;
    private TagRefresher tagRefresher;
    private CommandPublisher publisher;
    private RequestIdReservations requestIds;
    private ReceiptHub receipts;
    private FanOutAdmission fanOutAdmission;
    private ThreadPoolExecutor executor;
    private Server grpc;

    public ApiNode(Config config) {
        this(config, System::currentTimeMillis);
    }

    /**
     * @param clock what the node stamps ids, creation and acceptance times and token expiries with
     *              (tests run nodes whose clocks differ)
     */
    ApiNode(Config config, LongSupplier clock) {
        super(ROLE, config, ApiSettings.ADMIN_PORT);
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    protected void startRole(CuratorFramework zk) throws Exception {
        String bootstrap = config.get(KafkaSettings.BOOTSTRAP);
        KafkaSettings.checkReachable(bootstrap, config.get(KafkaSettings.START_TIMEOUT_MS));
        redis = RedisStore.open(config);
        // PushBatch status writes switch auto-flush on their connection: it must be one nobody else uses
        // (opened without a second durability check of the same Redis)
        batchRedis = RedisStore.open(config.get(RedisSettings.URIS), config.get(RedisSettings.CLUSTER),
                config.get(RedisSettings.TIMEOUT_MS));
        lease = new WorkerIdLease(zk, nodeId, clock);
        lease.acquire();
        connNodes = new Membership(zk, CONN_ROLE);
        connNodes.start();
        // the api-nodes that share each app's quota, this one included once it registered
        apiNodes = new Membership(zk, ROLE);
        apiNodes.start();
        publisher = new CommandPublisher(bootstrap, config.get(KafkaSettings.COMMAND_TOPIC),
                config.get(ApiSettings.KAFKA_TIMEOUT_MS), config.get(ApiSettings.KAFKA_LINGER_MS),
                "longlink-api-" + nodeId);
        publisher.awaitMetadata(config.get(KafkaSettings.START_TIMEOUT_MS));
        receipts = new ReceiptHub(bootstrap, config.get(KafkaSettings.RECEIPT_TOPIC),
                config.get(ApiSettings.RECEIPT_STREAMS_MAX), config.get(ApiSettings.RECEIPT_QUEUE_MAX), metrics);

        GrpcErrors errors = new GrpcErrors(ROLE + "-node");
        executor = boundedExecutor(config.get(ApiSettings.GRPC_THREADS));
        AppStore appStore = new AppStore(redis);
        // unknown apps are kept as long as known ones: api.auth-cache-ms for both
        long authCacheMs = config.get(ApiSettings.AUTH_CACHE_MS);
        AppSecretCache<Optional<App>> apps = new AppSecretCache<>(appStore::app, Optional::isPresent,
                config.get(ApiSettings.AUTH_CACHE_MAX), authCacheMs, authCacheMs, System::nanoTime);
        Quota quotaDefaults = new Quota(config.get(ApiSettings.QUOTA_PUSHES_PER_S),
                config.get(ApiSettings.QUOTA_FANOUTS_PER_S), config.get(ApiSettings.QUOTA_DEVICES_PER_CALL));
        PushQuotas quotas = new PushQuotas(quotaDefaults, apiNodes::size, config.get(ApiSettings.AUTH_CACHE_MAX),
                System::nanoTime, metrics);
        MessageIds ids = new MessageIds(clock, lease::slot);
        MessageStore messages = new MessageStore(redis, batchRedis,
                config.get(ApiSettings.STATUS_RETENTION_SECONDS) * 1000L);
        // a holder takes at most this long from its reservation to Kafka's answer and the status write,
        // and as long again waiting for other entries of its batch; a reservation twice as old is orphaned
        long acceptMs = config.get(ApiSettings.KAFKA_TIMEOUT_MS) + (long) config.get(RedisSettings.TIMEOUT_MS);
        requestIds = new RequestIdReservations(redis, config.get(ApiSettings.REQUEST_ID_TTL_SECONDS) * 1000L,
                2 * acceptMs);
        PushAcceptor acceptor = new PushAcceptor(messages, requestIds, publisher, ids, executor, clock,
                config.get(ApiSettings.MAX_INFLIGHT_PUSHES), acceptMs, metrics, errors);
        fanOutAdmission = new FanOutAdmission(redis, config.get(KafkaSettings.COMMAND_TOPIC),
                config.get(ApiSettings.FANOUT_MAX_LAG_MS), clock,
                LAG_READ_MS, metrics);
        PushGrpcService push = new PushGrpcService(messages, acceptor, quotas, fanOutAdmission, receipts, clock,
                errors);
        tagRefresher = new TagRefresher(connNodes, config.get(ApiSettings.TAG_REFRESH_TIMEOUT_MS), internalTls(),
                metrics);
        DeviceGrpcService devices = new DeviceGrpcService(new DeviceStore(redis), connNodes, tagRefresher,
                clock, config.get(ApiSettings.TOKEN_TTL_SECONDS), config.get(ApiSettings.ALIAS_MAX_DEVICES), errors);
        AppAdminGrpcService admin = new AppAdminGrpcService(appStore, apps, zk, quotaDefaults, clock, errors);
        BootstrapGrpcService bootstrapService = new BootstrapGrpcService(connNodes, errors);
        AuthInterceptor auth = new AuthInterceptor(apps, config.get(ApiSettings.ADMIN_TOKEN), executor, errors);
        CallMetrics callMetrics = new CallMetrics(metrics);

        InetSocketAddress bind = new InetSocketAddress(config.get(ApiSettings.GRPC_HOST), config.get(ApiSettings.GRPC_PORT));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bind)
                .executor(executor)
                .maxInboundMessageSize(PushLimits.MAX_REQUEST_BYTES)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .addService(health.getHealthService());
        // interceptors run last-added first: metrics see every call, errors turn what auth and the
        // services throw into statuses, auth sees every service call
        for (var service : new io.grpc.BindableService[] {push, devices, admin, bootstrapService}) {
            builder.addService(ServerInterceptors.intercept(service, auth, errors, callMetrics));
        }
        configureTls(builder);
        try {
            grpc = builder.build().start();
        } catch (IOException e) {
            throw new IOException("api.grpc.port: cannot listen on " + bind + " (" + e.getMessage() + ")", e);
        }
    }

    private void configureTls(NettyServerBuilder builder) throws SSLException {
        String cert = config.get(ApiSettings.TLS_CERT);
        String key = config.get(ApiSettings.TLS_KEY);
        if (cert.isEmpty() && key.isEmpty()) {
            return;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalStateException("api.tls.cert-path and api.tls.key-path: only one is set"
                    + " (expected: both, or neither for plaintext)");
        }
        for (String path : new String[] {cert, key}) {
            if (!new File(path).canRead()) {
                throw new IllegalStateException("api.tls: " + path + " is not readable (expected: a PEM file)");
            }
        }
        try {
            builder.sslContext(GrpcSslContexts.forServer(new File(cert), new File(key)).build());
        } catch (IllegalArgumentException | SSLException e) {
            throw new IllegalStateException("api.tls: cannot load " + cert + " / " + key + ": " + e.getMessage(), e);
        }
    }

    /** Bounded: a flood of calls queues up to a limit and is then refused, instead of growing threads. */
    private static ThreadPoolExecutor boundedExecutor(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * 1024), r -> {
                    Thread t = new Thread(r, "api-call-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** The port the public API listens on (the configured one, or the one the OS chose for 0). */
    public int grpcPort() {
        return grpc.getPort();
    }

    /** The api-nodes this one sees in membership now, itself included once registered: the quotas' divisor. */
    int liveApiNodes() {
        return apiNodes == null ? 0 : apiNodes.size();
    }

    /** The message-id worker id held now, or -1. */
    public int workerId() {
        return lease == null ? -1 : lease.current();
    }

    @Override
    protected Map<String, String> endpoints() {
        return Map.of("grpc", config.get(NodeSettings.ADVERTISE_HOST) + ":" + grpcPort());
    }

    @Override
    protected void stopAccepting() {
        health.enterTerminalState();
    }

    @Override
    protected void stopRole() throws InterruptedException {
        if (fanOutAdmission != null) {
            fanOutAdmission.close();
        }
        if (receipts != null) {
            receipts.close();
        }
        if (grpc != null) {
            grpc.shutdown();
            if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
                grpc.shutdownNow();
            }
        }
        if (executor != null) {
            executor.shutdown();
        }
        if (tagRefresher != null) {
            tagRefresher.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (requestIds != null) {
            requestIds.close();
        }
        if (connNodes != null) {
            connNodes.close();
        }
        if (apiNodes != null) {
            apiNodes.close();
        }
        if (lease != null) {
            lease.close();
        }
        if (batchRedis != null) {
            batchRedis.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
