package io.longlink.conn.auth;

import static java.util.Objects.requireNonNull;

import io.longlink.common.auth.AppSecretCache;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * App secrets by app key, from the app registry ({@code ll:app:{appKey}} field {@code secret}),
 * cached ({@link AppSecretCache}) with an expiry and a size bound so a reconnect storm costs one
 * Redis read per app, not one per device. Concurrent lookups of one app share one load; a failed
 * load is not cached (the next CONNECT asks again); an unknown app is cached for a shorter time.
 */
public final class AppSecrets {
    /** A known app's key (interned by the caller) and secret; null secret = unknown app. */
    public record App(String appKey, String secret) {
        public boolean known() {
            return secret != null;
        }
    }

    private final AppSecretCache<App> cache;

    /**
     * @param loader reads the secret of an app key; completes with null for an unknown app
     */
    public AppSecrets(Function<String, CompletionStage<String>> loader, int maxEntries, long ttlMillis,
                      long negativeTtlMillis, LongSupplier nanoClock) {
        requireNonNull(loader, "loader");
        this.cache = new AppSecretCache<>(appKey -> loader.apply(appKey).thenApply(secret -> new App(appKey, secret)),
                App::known, maxEntries, ttlMillis, negativeTtlMillis, nanoClock);
    }

    public CompletionStage<App> get(String appKey) {
        return cache.get(appKey);
    }

    /** Drops the cached secret of an app: the next CONNECT reads it again (after a rotation). */
    public void forget(String appKey) {
        cache.forget(appKey);
    }

    public long size() {
        return cache.size();
    }
}
