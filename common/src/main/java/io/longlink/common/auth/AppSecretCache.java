package io.longlink.common.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Apps by app key, read from the app registry ({@code ll:app:{appKey}}) through {@code loader} and
 * kept in a Caffeine cache, so that a busy app or a reconnect storm costs the store one read per
 * TTL, not one per call or CONNECT. Known apps are kept for {@code ttlMs}, unknown ones (as unknown)
 * for {@code unknownTtlMs}, so guessing keys does not turn into store load either; at most
 * {@code maxApps} are kept. Loads are asynchronous and one per key: concurrent lookups of an app
 * share its load, and nobody waits on a thread for it. A failed load is not kept: the next lookup
 * asks again.
 *
 * @param <A> what a node keeps of an app: its secret, or that the app is unknown
 */
public final class AppSecretCache<A> {
    /** Caffeine's upkeep is a few entries' work: done by the caller, on no other pool. */
    private static final Executor CALLER = Runnable::run;

    private final Function<String, ? extends CompletionStage<A>> loader;
    private final AsyncLoadingCache<String, A> cache;

    /**
     * @param loader reads an app from the store; completes with a non-null value, also for an unknown app
     * @param known  tells a known app from an unknown one
     */
    public AppSecretCache(Function<String, ? extends CompletionStage<A>> loader, Predicate<? super A> known,
                          int maxApps, long ttlMs, long unknownTtlMs, LongSupplier nanoClock) {
        this.loader = requireNonNull(loader, "loader");
        requireNonNull(known, "known");
        requireNonNull(nanoClock, "nanoClock");
        long ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMs);
        long unknownTtlNanos = TimeUnit.MILLISECONDS.toNanos(unknownTtlMs);
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxApps)
                .expireAfter(new Expiry<String, A>() {
                    @Override
                    public long expireAfterCreate(String appKey, A app, long now) {
                        return known.test(app) ? ttlNanos : unknownTtlNanos;
                    }

                    @Override
                    public long expireAfterUpdate(String appKey, A app, long now, long remaining) {
                        return expireAfterCreate(appKey, app, now);
                    }

                    @Override
                    public long expireAfterRead(String appKey, A app, long now, long remaining) {
                        return remaining;
                    }
                })
                .ticker(nanoClock::getAsLong)
                .executor(CALLER)
                .buildAsync((appKey, executor) -> load(appKey));
    }

    /**
     * The app, from the cache or from a load (shared with concurrent lookups). A cached app is
     * answered with the cache's own completed future. Do not complete what this returns.
     */
    public CompletableFuture<A> get(String appKey) {
        CompletableFuture<A> app = cache.get(appKey);
        if (app.getNow(null) != null) {
            return app;
        }
        CompletableFuture<A> answer = new CompletableFuture<>();
        app.whenComplete((loaded, error) -> {
            if (loaded != null) {
                answer.complete(loaded);
            } else {
                answer.completeExceptionally(((Load<A>) app).failure);
            }
        });
        return answer;
    }

    /** Drops the app (after its secret changed on this node): the next lookup reads the store. */
    public void forget(String appKey) {
        cache.synchronous().invalidate(appKey);
    }

    /** Apps kept now. */
    public long size() {
        cache.synchronous().cleanUp();
        return cache.synchronous().estimatedSize();
    }

    private CompletableFuture<A> load(String appKey) {
        Load<A> load = new Load<>();
        try {
            loader.apply(appKey).whenComplete((app, error) -> {
                if (error != null) {
                    load.fail(error);
                } else if (app == null) {
                    load.fail(new NullPointerException("the loader answered null for app key " + appKey));
                } else {
                    load.complete(app);
                }
            });
        } catch (RuntimeException e) {
            load.fail(e);
        }
        return load;
    }

    /**
     * A load's future. A failed load completes it with null, which Caffeine drops without a trace,
     * rather than exceptionally, which Caffeine would log with its stack at every failure while the
     * store is down: the failure is kept here for the lookups that share the load, whose callers
     * report it themselves.
     */
    private static final class Load<A> extends CompletableFuture<A> {
        private volatile Throwable failure;

        /** Fails with the store's own exception, not the CompletionException a loader's stage may wrap it in. */
        void fail(Throwable t) {
            failure = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            complete(null);
        }
    }
}
