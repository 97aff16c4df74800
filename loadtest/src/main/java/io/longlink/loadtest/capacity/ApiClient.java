package io.longlink.loadtest.capacity;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.ConnNodeEndpoint;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetConnNodesRequest;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.RegisterDeviceResponse;
import io.longlink.proto.api.SetQuotaRequest;
import io.longlink.proto.device.Platform;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * The simulation's side of the public API: one gRPC channel per api-node (plaintext or TLS), the
 * app's credentials on every app call, and the admin and bootstrap calls made once before the load.
 */
final class ApiClient implements AutoCloseable {
    static final Metadata.Key<String> APP_KEY = Metadata.Key.of("x-longlink-app-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> APP_SECRET = Metadata.Key.of("x-longlink-app-secret",
            Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> ADMIN_TOKEN = Metadata.Key.of("x-longlink-admin-token",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final long ADMIN_DEADLINE_S = 10;
    private static final int REGISTER_IN_FLIGHT = 64;

    /** The app the load runs as. */
    record App(String key, String secret) {
        App {
            requireNonNull(key, "key");
            requireNonNull(secret, "secret");
        }
    }

    private final CapacitySettings settings;
    private final List<ManagedChannel> managed = new ArrayList<>();
    private final AtomicLong calls = new AtomicLong();
    private Channel[] appChannels = new Channel[0];

    ApiClient(CapacitySettings settings) {
        this.settings = requireNonNull(settings, "settings");
        Optional<SslContext> tls = settings.apiTls() ? Optional.of(clientTls(settings.apiCa(), true)) : Optional.empty();
        for (String target : settings.api()) {
            NettyChannelBuilder b = NettyChannelBuilder.forTarget(target);
            // answers are handled on the channel's event loop: the work is a few counter updates
            b.directExecutor();
            if (tls.isPresent()) {
                b.sslContext(tls.get());
            } else {
                b.usePlaintext();
            }
            managed.add(b.build());
        }
    }

    /** A client TLS context trusting the CAs of {@code ca} (PEM), or the JDK's when empty; for gRPC when {@code grpc}. */
    static SslContext clientTls(Optional<Path> ca, boolean grpc) {
        try {
            SslContextBuilder b = grpc ? GrpcSslContexts.forClient() : SslContextBuilder.forClient();
            if (ca.isPresent()) {
                b.trustManager(ca.get().toFile());
            }
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("TLS: " + ca.map(Path::toString).orElse("JDK trust store") + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: " + ca.map(Path::toString).orElse("") + ": " + e.getMessage(), e);
        }
    }

    /**
     * The app of the run: the one given, or a new one created with the admin token. With the admin
     * token its quotas are raised to what the run sends, so the load measures the cluster, not the quota.
     */
    App app(String name) {
        Optional<AppAdminServiceGrpc.AppAdminServiceBlockingStub> admin = settings.adminToken().map(token -> {
            Metadata m = new Metadata();
            m.put(ADMIN_TOKEN, token);
            return AppAdminServiceGrpc.newBlockingStub(managed.getFirst())
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
        });
        App app;
        if (settings.appKey().isPresent()) {
            app = new App(settings.appKey().get(), settings.appSecret().orElseThrow());
        } else {
            CreateAppResponse created = admin.orElseThrow().withDeadlineAfter(ADMIN_DEADLINE_S, TimeUnit.SECONDS)
                    .createApp(CreateAppRequest.newBuilder().setName(name).build());
            app = new App(created.getAppKey(), created.getSecret());
        }
        if (admin.isPresent()) {
            long pushes = 2L * settings.unicastRate() + (long) Math.ceil(2 * settings.broadcastRate());
            long fanouts = (long) Math.ceil(2 * settings.broadcastRate());
            admin.get().withDeadlineAfter(ADMIN_DEADLINE_S, TimeUnit.SECONDS).setQuota(SetQuotaRequest.newBuilder()
                    .setAppKey(app.key()).setPushesPerS(Math.clamp(pushes, 10_000, 10_000_000))
                    .setFanoutsPerS(Math.clamp(fanouts, 10, 1_000_000)).build());
        }
        Metadata creds = new Metadata();
        creds.put(APP_KEY, app.key());
        creds.put(APP_SECRET, app.secret());
        appChannels = managed.stream().map(ch -> ClientInterceptors.intercept(ch,
                MetadataUtils.newAttachHeadersInterceptor(creds))).toArray(Channel[]::new);
        return app;
    }

    /** The conn-nodes' device endpoints as the bootstrap service offers them, least loaded first. */
    List<String> connNodes() {
        List<String> out = new ArrayList<>();
        for (ConnNodeEndpoint e : BootstrapServiceGrpc.newBlockingStub(managed.getFirst())
                .withDeadlineAfter(ADMIN_DEADLINE_S, TimeUnit.SECONDS)
                .getConnNodes(GetConnNodesRequest.newBuilder().setLimit(100).build()).getNodesList()) {
            out.add(e.getAddress());
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("BootstrapService.GetConnNodes: no conn-node serving (set "
                    + CapacitySettings.PREFIX + "conn-nodes)");
        }
        return out;
    }

    /**
     * Registers devices {@code prefix-0} .. {@code prefix-(count-1)} through DeviceService.RegisterDevice,
     * at most {@value #REGISTER_IN_FLIGHT} calls at once, and answers their tokens by index.
     */
    String[] register(String prefix, int count) throws InterruptedException {
        String[] tokens = new String[count];
        Semaphore slots = new Semaphore(REGISTER_IN_FLIGHT);
        AtomicReference<Status> failure = new AtomicReference<>();
        for (int i = 0; i < count && failure.get() == null; i++) {
            slots.acquire();
            int index = i;
            ClientCalls.asyncUnaryCall(next().newCall(DeviceServiceGrpc.getRegisterDeviceMethod(),
                            CallOptions.DEFAULT.withDeadlineAfter(settings.deadlineMs(), TimeUnit.MILLISECONDS)),
                    RegisterDeviceRequest.newBuilder().setDeviceId(DeviceFleet.deviceId(prefix, index))
                            .setPlatform(Platform.ANDROID).build(),
                    new StreamObserver<RegisterDeviceResponse>() {
                        @Override
                        public void onNext(RegisterDeviceResponse r) {
                            tokens[index] = r.getToken();
                        }

                        @Override
                        public void onError(Throwable t) {
                            failure.compareAndSet(null, Status.fromThrowable(t));
                            slots.release();
                        }

                        @Override
                        public void onCompleted() {
                            slots.release();
                        }
                    });
        }
        slots.acquire(REGISTER_IN_FLIGHT);
        if (failure.get() != null) {
            throw failure.get().withDescription("RegisterDevice: " + failure.get().getDescription()).asRuntimeException();
        }
        return tokens;
    }

    /** The next api-node's channel, with the app's credentials, round-robin; after {@link #app}. */
    Channel next() {
        Channel[] chs = appChannels;
        return chs[(int) Math.floorMod(calls.getAndIncrement(), (long) chs.length)];
    }

    @Override
    public void close() {
        managed.forEach(ManagedChannel::shutdown);
        try {
            for (ManagedChannel ch : managed) {
                if (!ch.awaitTermination(settings.deadlineMs() + 1_000L, TimeUnit.MILLISECONDS)) {
                    ch.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            managed.forEach(ManagedChannel::shutdownNow);
        }
    }
}
