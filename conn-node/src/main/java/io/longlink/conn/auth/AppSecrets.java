package io.longlink.conn.auth;

import static java.util.Objects.requireNonNull;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * App secrets by app key, from the app registry ({@code ll:app:{appKey}} field {@code secret}),
 * cached with an expiry and a size bound so a reconnect storm costs one Redis read per app, not
 * one per device. Concurrent lookups of one app share one load; a failed load is not cached (the
 * next CONNECT asks again); an unknown app is cached for a shorter time.
 */
public final class AppSecrets {
    /** A known app's key (interned by the caller) and secret; null secret = unknown app. */
    public record App(String appKey, String secret) {
        public boolean known() {
            return secret != null;
        }
    }

    private final Function<String, CompletionStage<String>> loader;
    private final int maxEntries;
    private final long ttlNanos;
    private final long negativeTtlNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param loader reads the secret of an app key; completes with null for an unknown app
     */
    public AppSecrets(Function<String, CompletionStage<String>> loader, int maxEntries, long ttlMillis,
                      long negativeTtlMillis, LongSupplier nanoClock) {
        this.loader = requireNonNull(loader, "loader");
        this.maxEntries = maxEntries;
        this.ttlNanos = ttlMillis * 1_000_000L;
        this.negativeTtlNanos = negativeTtlMillis * 1_000_000L;
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    }

    public CompletionStage<App> get(String appKey) {
        long now = nanoClock.getAsLong();
        Entry e = entries.get(appKey);
        if (e != null && !e.expired(now)) {
            return e.future;
        }
        Entry fresh = new Entry();
        Entry winner = entries.compute(appKey, (k, old) -> old != null && !old.expired(now) ? old : fresh);
        if (winner != fresh) {
            return winner.future;
        }
        if (entries.size() > maxEntries) {
            evict(now);
        }
        CompletionStage<String> load;
        try {
            load = loader.apply(appKey);
        } catch (RuntimeException ex) {
            load = CompletableFuture.failedFuture(ex);
        }
        load.whenComplete((secret, err) -> {
            if (err != null) {
                entries.remove(appKey, fresh);
                fresh.future.completeExceptionally(err);
                return;
            }
            long done = nanoClock.getAsLong();
            fresh.expiresAt = done + (secret == null ? negativeTtlNanos : ttlNanos);
            fresh.future.complete(new App(appKey, secret));
        });
        return fresh.future;
    }

    public int size() {
        return entries.size();
    }

    /** Drops expired entries, then arbitrary ones, until the bound holds again (rare: only past the bound). */
    private void evict(long now) {
        entries.values().removeIf(e -> e.expired(now));
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (entries.size() > maxEntries && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private static final class Entry {
        final CompletableFuture<App> future = new CompletableFuture<>();
        /** Written once when the load completes; until then the entry never expires (the load is shared). */
        volatile long expiresAt = Long.MAX_VALUE;

        boolean expired(long now) {
            long at = expiresAt;
            return at != Long.MAX_VALUE && now - at >= 0;
        }
    }
}
