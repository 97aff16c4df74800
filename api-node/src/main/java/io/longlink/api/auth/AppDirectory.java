package io.longlink.api.auth;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * App secrets from {@code ll:app:{appKey}}, cached for {@code api.auth-cache-ms} so that a busy app
 * costs Redis one read per interval, not one per call. Unknown apps are cached too (as absent), so
 * guessing keys does not turn into Redis load. The cache is bounded; when full, arbitrary entries
 * make room.
 */
public final class AppDirectory {
    private final RedisStore redis;
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    public AppDirectory(RedisStore redis, long ttlMs, int maxEntries, LongSupplier nanoClock) {
        this.redis = requireNonNull(redis, "redis");
        this.ttlNanos = ttlMs * 1_000_000L;
        this.maxEntries = maxEntries;
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    }

    /** The app's secret, or empty when the app does not exist. */
    public CompletableFuture<Optional<String>> secret(String appKey) {
        long now = nanoClock.getAsLong();
        Entry e = cache.get(appKey);
        if (e != null && now - e.loadedAt < ttlNanos) {
            return CompletableFuture.completedFuture(Optional.ofNullable(e.secret));
        }
        return redis.async().hget(RedisKeys.app(appKey), RedisKeys.APP_SECRET).toCompletableFuture().thenApply(raw -> {
            String secret = raw == null ? null : new String(raw, StandardCharsets.UTF_8);
            if (ttlNanos > 0) {
                makeRoom();
                cache.put(appKey, new Entry(secret, now));
            }
            return Optional.ofNullable(secret);
        });
    }

    /** Drops the cached secret (after a rotation on this node). */
    public void forget(String appKey) {
        cache.remove(appKey);
    }

    private void makeRoom() {
        if (cache.size() < maxEntries) {
            return;
        }
        Iterator<String> it = cache.keySet().iterator();
        for (int i = 0; i < maxEntries / 8 + 1 && it.hasNext(); i++) {
            it.next();
            it.remove();
        }
    }

    private record Entry(String secret, long loadedAt) {
    }
}
