package io.longlink.api.auth;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.longlink.api.validation.Fields;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.PushServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one authentication check of the API. App services need {@code x-longlink-app-key} and
 * {@code x-longlink-app-secret} matching {@code ll:app:{appKey}}; the admin service needs
 * {@code x-longlink-admin-token}; everything else (bootstrap, health) is open. Missing or wrong
 * credentials are UNAUTHENTICATED, a valid identity without the right is PERMISSION_DENIED: refusals it
 * throws, which {@link GrpcErrors}, installed outside it, turns into the call's status.
 *
 * <p>A cache miss waits for Redis on the call's executor thread (bounded by redis.timeout-ms);
 * hits, the normal case, do not touch Redis.
 */
public final class AuthInterceptor implements ServerInterceptor {
    private static final Set<String> APP_SERVICES = Set.of(PushServiceGrpc.SERVICE_NAME, DeviceServiceGrpc.SERVICE_NAME);

    private final AppDirectory apps;
    private final byte[] adminToken;
    private final long redisTimeoutMs;
    private final GrpcErrors errors;

    public AuthInterceptor(AppDirectory apps, String adminToken, long redisTimeoutMs, GrpcErrors errors) {
        this.apps = requireNonNull(apps, "apps");
        this.adminToken = requireNonNull(adminToken, "adminToken").getBytes(StandardCharsets.UTF_8);
        this.redisTimeoutMs = redisTimeoutMs;
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (APP_SERVICES.contains(service)) {
            String[] app = authenticateApp(headers);
            Context ctx = Context.current().withValues(Caller.APP_KEY, app[0], Caller.APP_SECRET, app[1]);
            return Contexts.interceptCall(ctx, call, headers, next);
        }
        if (AppAdminServiceGrpc.SERVICE_NAME.equals(service)) {
            checkAdmin(headers);
        }
        return next.startCall(call, headers);
    }

    private String[] authenticateApp(Metadata headers) {
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
        Optional<String> stored;
        try {
            stored = apps.secret(appKey).get(redisTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Refusal.unavailable("interrupted while checking credentials");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw errors.exception(e);
        }
        if (stored.isEmpty()) {
            throw Refusal.unauthenticated("metadata x-longlink-app-key: '" + appKey + "' (expected: a registered app)");
        }
        if (!MessageDigest.isEqual(stored.get().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8))) {
            throw Refusal.unauthenticated("metadata x-longlink-app-secret: does not match app '" + appKey + "'");
        }
        return new String[] {appKey, stored.get()};
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
