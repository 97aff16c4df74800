package io.longlink.api.apps;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.api.auth.AppDirectory;
import io.longlink.api.validation.Fields;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.RotateSecretRequest;
import io.longlink.proto.api.RotateSecretResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * App registry ({@code ll:app:{appKey}}): CreateApp and RotateSecret, behind the admin token.
 * App keys are 16 characters of lowercase base32 (80 random bits), secrets 32 random bytes in
 * base64url: no colon or brace, so they fit inside the {@code {appKey:deviceId}} hash tag.
 */
public final class AppAdminGrpcService extends AppAdminServiceGrpc.AppAdminServiceImplBase {
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int CREATE_ATTEMPTS = 3;

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final AppDirectory directory;
    private final LongSupplier clock;
    private final GrpcErrors errors;
    private final SecureRandom random = new SecureRandom();

    public AppAdminGrpcService(RedisStore redis, AppDirectory directory, LongSupplier clock, GrpcErrors errors) {
        this.redis = requireNonNull(redis, "redis").async();
        this.directory = requireNonNull(directory, "directory");
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

    /** HSETNX on the secret claims the key, so two creations can never share an app key. */
    private CompletionStage<CreateAppResponse> create(String name, int attempts) {
        String appKey = newAppKey();
        String secret = newSecret();
        String key = RedisKeys.app(appKey);
        return redis.hsetnx(key, RedisKeys.APP_SECRET, utf8(secret)).thenCompose(claimed -> {
            if (!claimed) {
                if (attempts <= 1) {
                    throw new IllegalStateException("app key collided " + CREATE_ATTEMPTS + " times in a row");
                }
                return create(name, attempts - 1);
            }
            return redis.hset(key, Map.of(RedisKeys.APP_NAME, utf8(name),
                            RedisKeys.APP_CREATED_MS, utf8(Long.toString(clock.getAsLong()))))
                    .thenApply(n -> CreateAppResponse.newBuilder().setAppKey(appKey).setSecret(secret).build());
        });
    }

    @Override
    public void rotateSecret(RotateSecretRequest request, StreamObserver<RotateSecretResponse> out) {
        errors.unary(out, () -> {
            String appKey = Fields.appKey("app_key", request.getAppKey());
            String key = RedisKeys.app(appKey);
            String secret = newSecret();
            // apps are never deleted, so "exists, then overwrite" cannot resurrect one
            return redis.hexists(key, RedisKeys.APP_SECRET).thenCompose(exists -> {
                if (!exists) {
                    throw Refusal.notFound("app_key: '" + appKey + "' (expected: an existing app)");
                }
                return redis.hset(key, RedisKeys.APP_SECRET, utf8(secret));
            }).thenApply(x -> {
                directory.forget(appKey);
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
