package io.longlink.api.auth;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.longlink.api.apps.App;
import io.longlink.api.validation.Fields;
import io.longlink.common.auth.AppSecretCache;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.PushServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one authentication check of the API. App services need {@code x-longlink-app-key} and
 * {@code x-longlink-app-secret} matching {@code ll:app:{appKey}}; the admin service needs
 * {@code x-longlink-admin-token}; everything else (bootstrap, health) is open. Missing or wrong
 * credentials are UNAUTHENTICATED, a valid identity without the right is PERMISSION_DENIED: refusals it
 * throws, which {@link GrpcErrors}, installed outside it, turns into the call's status.
 *
 * <p>Apps (secret and own quotas) come from the {@link AppSecretCache}. A hit, the normal case, is checked and the
 * call started at once; a miss starts the call once Redis answered, on the API executor (never on a
 * Redis thread), and no thread waits for Redis meanwhile.
 */
public final class AuthInterceptor implements ServerInterceptor {
    private static final Set<String> APP_SERVICES = Set.of(PushServiceGrpc.SERVICE_NAME, DeviceServiceGrpc.SERVICE_NAME);

    private final AppSecretCache<Optional<App>> apps;
    private final byte[] adminToken;
    private final Executor executor;
    private final GrpcErrors errors;

    /**
     * @param apps     apps by app key (empty: no such app)
     * @param executor where a call whose secret had to be read is started: the API's call executor
     */
    public AuthInterceptor(AppSecretCache<Optional<App>> apps, String adminToken, Executor executor,
                           GrpcErrors errors) {
        this.apps = requireNonNull(apps, "apps");
        this.adminToken = requireNonNull(adminToken, "adminToken").getBytes(StandardCharsets.UTF_8);
        this.executor = requireNonNull(executor, "executor");
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (APP_SERVICES.contains(service)) {
            return authenticateApp(call, headers, next);
        }
        if (AppAdminServiceGrpc.SERVICE_NAME.equals(service)) {
            checkAdmin(headers);
        }
        return next.startCall(call, headers);
    }

    private <Q, R> ServerCall.Listener<Q> authenticateApp(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
        String appKey = headers.get(Caller.APP_KEY_HEADER);
        String secret = headers.get(Caller.APP_SECRET_HEADER);
        if (appKey == null || appKey.isEmpty()) {
            throw Refusal.unauthenticated("metadata x-longlink-app-key: missing (expected: the app key)");
        }
        if (secret == null || secret.isEmpty()) {
            throw Refusal.unauthenticated("metadata x-longlink-app-secret: missing (expected: the app secret)");
        }
        if (!Fields.isAppKey(appKey)) {
            throw Refusal.unauthenticated("metadata x-longlink-app-key: " + Fields.show(appKey)
                    + " (expected: 1 to " + Fields.APP_KEY_MAX + " characters of A-Z a-z 0-9 . _ -)");
        }
        // the call's own context (deadline, cancellation), captured on the thread that has it
        Context context = Context.current();
        CompletableFuture<Optional<App>> stored = apps.get(appKey);
        if (stored.isDone()) {
            return start(context, call, headers, next, appKey, secret, stored.join());
        }
        DeferredCall<Q> deferred = new DeferredCall<>(failure -> errors.close(call, failure));
        stored.whenComplete((found, error) -> {
            try {
                executor.execute(() -> {
                    if (error != null) {
                        deferred.refuse(error);
                    } else {
                        deferred.start(() -> start(context, call, headers, next, appKey, secret, found));
                    }
                });
            } catch (RejectedExecutionException e) {
                deferred.refuse(e);
            }
        });
        return deferred;
    }

    /** Checks the presented secret against the stored one and starts the call as that app. */
    private static <Q, R> ServerCall.Listener<Q> start(Context context, ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next, String appKey, String secret,
                                                       Optional<App> stored) {
        if (stored.isEmpty()) {
            throw Refusal.unauthenticated("metadata x-longlink-app-key: '" + appKey + "' (expected: a registered app)");
        }
        App app = stored.get();
        if (!MessageDigest.isEqual(app.secret().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
            throw Refusal.unauthenticated("metadata x-longlink-app-secret: does not match app '" + appKey + "'");
        }
        Context caller = context.withValues(Caller.APP_KEY, appKey, Caller.APP_SECRET, app.secret(), Caller.APP_QUOTA,
                app.quota());
        return Contexts.interceptCall(caller, call, headers, next);
    }

    private void checkAdmin(Metadata headers) {
        if (adminToken.length == 0) {
            throw Refusal.permissionDenied("admin calls are disabled on this api-node (api.admin-token is not set)");
        }
        String token = headers.get(Caller.ADMIN_TOKEN_HEADER);
        if (token == null || token.isEmpty()) {
            throw Refusal.unauthenticated("metadata x-longlink-admin-token: missing (expected: the admin token)");
        }
        if (!MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
            throw Refusal.permissionDenied("metadata x-longlink-admin-token: does not match (expected: api.admin-token)");
        }
    }
}
