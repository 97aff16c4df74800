package io.longlink.api.apps;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.KeyValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.api.quota.Quota;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The app registry, {@code ll:app:{appKey}} (secret, name, created_ms, and the app's own quotas
 * {@code quota_*}): what CreateApp, RotateSecret and SetQuota write and authentication reads. Apps
 * are never deleted.
 */
public final class AppStore {
    private final RedisClusterAsyncCommands<String, byte[]> redis;

    public AppStore(RedisStore redis) {
        this.redis = requireNonNull(redis, "redis").async();
    }

    /** The app's secret and own quotas, in one read; empty when no app has this key. */
    public CompletionStage<Optional<App>> app(String appKey) {
        return redis.hmget(RedisKeys.app(appKey), RedisKeys.APP_SECRET, RedisKeys.APP_QUOTA_PUSHES_PER_S,
                RedisKeys.APP_QUOTA_FANOUTS_PER_S, RedisKeys.APP_QUOTA_DEVICES_PER_CALL).thenApply(values -> {
                    byte[] secret = values.get(0).getValueOrElse(null);
                    if (secret == null) {
                        return Optional.empty();
                    }
                    Quota quota = new Quota(number(values.get(1)), number(values.get(2)), number(values.get(3)));
                    return Optional.of(new App(new String(secret, StandardCharsets.UTF_8), quota));
                });
    }

    /**
     * Applies {@code change} to the app's own quotas: HEXISTS, then one HSET of the new values and one
     * HDEL of those given back to the default (an app is never deleted in between). Completes with
     * false, having written nothing, when there is no such app.
     */
    public CompletionStage<Boolean> setQuota(String appKey, QuotaChange change) {
        String key = RedisKeys.app(appKey);
        Map<String, byte[]> set = new LinkedHashMap<>();
        List<String> remove = new ArrayList<>(3);
        change(RedisKeys.APP_QUOTA_PUSHES_PER_S, change.pushesPerS(), set, remove);
        change(RedisKeys.APP_QUOTA_FANOUTS_PER_S, change.fanoutsPerS(), set, remove);
        change(RedisKeys.APP_QUOTA_DEVICES_PER_CALL, change.devicesPerCall(), set, remove);
        return redis.hexists(key, RedisKeys.APP_SECRET).thenCompose(exists -> {
            if (!exists) {
                return CompletableFuture.completedFuture(false);
            }
            CompletionStage<?> written = set.isEmpty() ? CompletableFuture.completedFuture(0L) : redis.hset(key, set);
            return written.thenCompose(x -> remove.isEmpty() ? CompletableFuture.completedFuture(0L)
                    : redis.hdel(key, remove.toArray(String[]::new))).thenApply(x -> true);
        });
    }

    /**
     * What SetQuota changes, per quota: null leaves it, 0 gives it back to the default, more sets the app's own.
     */
    public record QuotaChange(Integer pushesPerS, Integer fanoutsPerS, Integer devicesPerCall) {
    }

    private static void change(String field, Integer value, Map<String, byte[]> set, List<String> remove) {
        if (value == null) {
            return;
        }
        if (value == 0) {
            remove.add(field);
        } else {
            set.put(field, utf8(Integer.toString(value)));
        }
    }

    /** A stored quota; 0 (the default applies) when absent or not a positive number. */
    private static int number(KeyValue<String, byte[]> value) {
        byte[] raw = value.getValueOrElse(null);
        if (raw == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(new String(raw, StandardCharsets.UTF_8)));
        } catch (NumberFormatException e) {
            return 0;
        }
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
