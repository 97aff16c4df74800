package io.longlink.api.apps;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.longlink.api.validation.Fields;
import io.longlink.common.auth.AppSecretCache;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.RotateSecretRequest;
import io.longlink.proto.api.RotateSecretResponse;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * CreateApp and RotateSecret, behind the admin token, over the app registry ({@link AppStore}).
 * App keys are 16 characters of lowercase base32 (80 random bits), secrets 32 random bytes in
 * base64url: no colon or brace, so they fit inside the {@code {appKey:deviceId}} hash tag.
 */
public final class AppAdminGrpcService extends AppAdminServiceGrpc.AppAdminServiceImplBase {
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int CREATE_ATTEMPTS = 3;

    private final AppStore apps;
    private final AppSecretCache<Optional<String>> secrets;
    private final LongSupplier clock;
    private final GrpcErrors errors;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param secrets the node's cache of app secrets, told when a secret changes here
     */
    public AppAdminGrpcService(AppStore apps, AppSecretCache<Optional<String>> secrets, LongSupplier clock,
                               GrpcErrors errors) {
        this.apps = requireNonNull(apps, "apps");
        this.secrets = requireNonNull(secrets, "secrets");
        this.clock = requireNonNull(clock, "clock");
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public void createApp(CreateAppRequest request, StreamObserver<CreateAppResponse> out) {
        errors.unary(out, () -> {
            String name = Fields.name("name", request.getName());
            return create(name, CREATE_ATTEMPTS);
        });
    }

    /** A fresh random key per attempt: the store refuses a key that is taken. */
    private CompletionStage<CreateAppResponse> create(String name, int attempts) {
        String appKey = newAppKey();
        String secret = newSecret();
        return apps.create(appKey, secret, name, clock.getAsLong()).thenCompose(created -> {
            if (created) {
                return CompletableFuture.completedFuture(CreateAppResponse.newBuilder().setAppKey(appKey)
                        .setSecret(secret).build());
            }
            if (attempts <= 1) {
                throw new IllegalStateException("app key collided " + CREATE_ATTEMPTS + " times in a row");
            }
            return create(name, attempts - 1);
        });
    }

    @Override
    public void rotateSecret(RotateSecretRequest request, StreamObserver<RotateSecretResponse> out) {
        errors.unary(out, () -> {
            String appKey = Fields.appKey("app_key", request.getAppKey());
            String secret = newSecret();
            return apps.rotate(appKey, secret).thenApply(rotated -> {
                if (!rotated) {
                    throw Refusal.notFound("app_key: '" + appKey + "' (expected: an existing app)");
                }
                secrets.forget(appKey);
                return RotateSecretResponse.newBuilder().setSecret(secret).build();
            });
        });
    }

    private String newAppKey() {
        char[] out = new char[16];
        for (int i = 0; i < out.length; i++) {
            out[i] = BASE32[random.nextInt(BASE32.length)];
        }
        return new String(out);
    }

    private String newSecret() {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
