package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.SetQuotaRequest;
import java.util.concurrent.TimeUnit;

/** The scenarios' apps, created through the stack's api-node with its admin token, as an operator would. */
public final class AppAdmin {
    /** The api-node's upper bound of an app's pushes_per_s quota: a scenario's app that must not be limited. */
    public static final int MAX_PUSHES_PER_S = 10_000_000;
    private static final Metadata.Key<String> ADMIN_TOKEN = Metadata.Key.of("x-longlink-admin-token",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> APP_KEY = Metadata.Key.of("x-longlink-app-key",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> APP_SECRET = Metadata.Key.of("x-longlink-app-secret",
            Metadata.ASCII_STRING_MARSHALLER);

    private AppAdmin() {
    }

    /** Adds the app's key and secret to every call, as the API authenticates an app's calls. */
    public static ClientInterceptor credentials(String appKey, String secret) {
        Metadata creds = new Metadata();
        creds.put(APP_KEY, requireNonNull(appKey, "appKey"));
        creds.put(APP_SECRET, requireNonNull(secret, "secret"));
        return MetadataUtils.newAttachHeadersInterceptor(creds);
    }

    /** Creates an app named {@code name}; a {@code pushesPerS} above 0 becomes its pushes_per_s quota. */
    public static CreateAppResponse create(Stack stack, String name, int pushesPerS) throws InterruptedException {
        return create(stack, name, pushesPerS, 0);
    }

    /** The same, and a {@code fanoutsPerS} above 0 becomes its fanouts_per_s quota (tag and broadcast pushes). */
    public static CreateAppResponse create(Stack stack, String name, int pushesPerS, int fanoutsPerS)
            throws InterruptedException {
        requireNonNull(stack, "stack");
        requireNonNull(name, "name");
        Metadata admin = new Metadata();
        admin.put(ADMIN_TOKEN, stack.adminToken());
        ManagedChannel ch = NettyChannelBuilder.forTarget(stack.api()).usePlaintext().build();
        try {
            AppAdminServiceGrpc.AppAdminServiceBlockingStub stub = AppAdminServiceGrpc.newBlockingStub(ch)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(admin));
            CreateAppResponse app = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .createApp(CreateAppRequest.newBuilder().setName(name).build());
            if (pushesPerS > 0 || fanoutsPerS > 0) {
                SetQuotaRequest.Builder quota = SetQuotaRequest.newBuilder().setAppKey(app.getAppKey());
                if (pushesPerS > 0) {
                    quota.setPushesPerS(pushesPerS);
                }
                if (fanoutsPerS > 0) {
                    quota.setFanoutsPerS(fanoutsPerS);
                }
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).setQuota(quota.build());
            }
            return app;
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
