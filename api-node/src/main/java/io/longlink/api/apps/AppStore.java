package io.longlink.api.apps;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The app registry, {@code ll:app:{appKey}} (secret, name, created_ms): what CreateApp and
 * RotateSecret write and authentication reads. Apps are never deleted.
 */
public final class AppStore {
    private final RedisClusterAsyncCommands<String, byte[]> redis;

    public AppStore(RedisStore redis) {
        this.redis = requireNonNull(redis, "redis").async();
    }

    /** The app's secret, or null when no app has this key. */
    public CompletionStage<String> secret(String appKey) {
        return redis.hget(RedisKeys.app(appKey), RedisKeys.APP_SECRET)
                .thenApply(raw -> raw == null ? null : new String(raw, StandardCharsets.UTF_8));
    }

    /**
     * Registers an app under {@code appKey} unless the key is taken: HSETNX of the secret claims the
     * key, so two creations can never share it, then one HSET adds the name and creation time.
     * Completes with false, having written nothing, when the key was taken.
     */
    public CompletionStage<Boolean> create(String appKey, String secret, String name, long createdMs) {
        String key = RedisKeys.app(appKey);
        return redis.hsetnx(key, RedisKeys.APP_SECRET, utf8(secret)).thenCompose(claimed -> !claimed
                ? CompletableFuture.completedFuture(false)
                : redis.hset(key, Map.of(RedisKeys.APP_NAME, utf8(name),
                        RedisKeys.APP_CREATED_MS, utf8(Long.toString(createdMs)))).thenApply(n -> true));
    }

    /**
     * Replaces the app's secret: HEXISTS, then HSET (an app is never deleted in between, so this
     * cannot bring one back). Completes with false, having written nothing, when there is no such app.
     */
    public CompletionStage<Boolean> rotate(String appKey, String secret) {
        String key = RedisKeys.app(appKey);
        return redis.hexists(key, RedisKeys.APP_SECRET).thenCompose(exists -> !exists
                ? CompletableFuture.completedFuture(false)
                : redis.hset(key, RedisKeys.APP_SECRET, utf8(secret)).thenApply(x -> true));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
