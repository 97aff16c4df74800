package io.longlink.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class AppSecretCacheTest {
    private static final long TTL_MS = 1_000;
    private static final long UNKNOWN_TTL_MS = 100;

    /** The fake ticker: nanoseconds that pass only when a test says so. */
    private final AtomicLong clock = new AtomicLong();
    private final List<String> loads = new ArrayList<>();
    private final List<CompletableFuture<Optional<String>>> pending = new ArrayList<>();

    private AppSecretCache<Optional<String>> cache(int maxApps, long ttlMs) {
        return new AppSecretCache<>(appKey -> {
            loads.add(appKey);
            CompletableFuture<Optional<String>> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }, Optional::isPresent, maxApps, ttlMs, Math.min(ttlMs, UNKNOWN_TTL_MS), clock::get);
    }

    private AppSecretCache<Optional<String>> cache() {
        return cache(10, TTL_MS);
    }

    private void advanceMs(long ms) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** {@code c} after a lookup of "app" that the store answered with {@code secret}. */
    private AppSecretCache<Optional<String>> loaded(AppSecretCache<Optional<String>> c, String secret) {
        c.get("app");
        pending.get(pending.size() - 1).complete(Optional.of(secret));
        return c;
    }

    /** The next lookup of "app" reads the store again (its second load) and answers what it says now. */
    private void assertNextLookupLoads(AppSecretCache<Optional<String>> c, String secret) throws Exception {
        CompletableFuture<Optional<String>> again = c.get("app");
        assertThat(loads).hasSize(2);
        pending.get(1).complete(Optional.of(secret));
        assertThat(get(again)).contains(secret);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(1, TimeUnit.SECONDS);
    }

    @Test
    void get_whenConcurrentLookups_thenOneLoadShared() throws Exception {
        AppSecretCache<Optional<String>> c = cache();
        CompletableFuture<Optional<String>> a = c.get("app");
        CompletableFuture<Optional<String>> b = c.get("app");
        assertThat(a).isNotDone();
        assertThat(loads).containsExactly("app");

        pending.get(0).complete(Optional.of("s3cret"));

        assertThat(get(a)).contains("s3cret");
        assertThat(get(b)).contains("s3cret");
        assertThat(get(c.get("app"))).contains("s3cret");
        assertThat(loads).hasSize(1);
    }

    @Test
    void get_whenCached_thenTheSameCompletedFutureEachTime() {
        AppSecretCache<Optional<String>> c = loaded(cache(), "s");

        CompletableFuture<Optional<String>> first = c.get("app");

        assertThat(first).isCompletedWithValue(Optional.of("s"));
        assertThat(c.get("app")).isSameAs(first);
    }

    @Test
    void get_whenKnownAppOutlivesTheTtl_thenLoadedAgain() throws Exception {
        AppSecretCache<Optional<String>> c = loaded(cache(), "one");
        advanceMs(TTL_MS - 1);
        assertThat(get(c.get("app"))).contains("one");
        assertThat(loads).hasSize(1);

        advanceMs(1);
        assertNextLookupLoads(c, "two");
    }

    @Test
    void get_whenUnknownApp_thenKeptAsUnknownForTheShorterTtl() throws Exception {
        AppSecretCache<Optional<String>> c = cache();
        CompletableFuture<Optional<String>> unknown = c.get("nope");
        pending.get(0).complete(Optional.empty());
        assertThat(get(unknown)).isEmpty();

        advanceMs(UNKNOWN_TTL_MS - 1);
        assertThat(get(c.get("nope"))).isEmpty();
        assertThat(loads).hasSize(1);

        advanceMs(1);
        c.get("nope");
        assertThat(loads).hasSize(2);
    }

    @Test
    void get_whenTtlIsZero_thenEveryLookupAfterALoadReadsTheStore() {
        AppSecretCache<Optional<String>> c = loaded(cache(10, 0), "s");

        c.get("app");

        assertThat(loads).hasSize(2);
    }

    @Test
    void get_whenLoadFails_thenEverySharingLookupFailsAndTheFailureIsNotKept() {
        AppSecretCache<Optional<String>> c = cache();
        CompletableFuture<Optional<String>> a = c.get("app");
        CompletableFuture<Optional<String>> b = c.get("app");

        pending.get(0).completeExceptionally(new IllegalStateException("redis down"));

        for (CompletableFuture<Optional<String>> f : List.of(a, b)) {
            assertThatThrownBy(() -> get(f)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class).hasMessageContaining("redis down");
        }
        c.get("app");
        assertThat(loads).hasSize(2);
    }

    @Test
    void get_whenLoadFails_thenLookupsSeeTheStoresOwnException() {
        CompletableFuture<String> read = new CompletableFuture<>();
        AppSecretCache<Optional<String>> c = new AppSecretCache<>(appKey -> read.thenApply(Optional::ofNullable),
                Optional::isPresent, 10, TTL_MS, UNKNOWN_TTL_MS, clock::get);
        List<Throwable> seen = new ArrayList<>();
        c.get("app").whenComplete((app, error) -> seen.add(error));

        IllegalStateException down = new IllegalStateException("redis down");
        read.completeExceptionally(down);

        assertThat(seen).containsExactly(down);
    }

    @Test
    void get_whenLoaderThrows_thenFailedFutureAndNothingKept() {
        List<String> calls = new ArrayList<>();
        AppSecretCache<Optional<String>> c = new AppSecretCache<>(appKey -> {
            calls.add(appKey);
            throw new IllegalStateException("not connected");
        }, Optional::isPresent, 10, TTL_MS, UNKNOWN_TTL_MS, clock::get);

        assertThatThrownBy(() -> get(c.get("app"))).hasRootCauseMessage("not connected");
        assertThatThrownBy(() -> get(c.get("app"))).hasRootCauseMessage("not connected");
        assertThat(calls).hasSize(2);
    }

    @Test
    void get_whenLoadFails_thenCaffeineLogsNothing() {
        Logger caffeine = Logger.getLogger("com.github.benmanes.caffeine.cache.LocalAsyncCache");
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        caffeine.addHandler(handler);
        try {
            AppSecretCache<Optional<String>> c = cache();
            CompletableFuture<Optional<String>> failed = c.get("app");
            pending.get(0).completeExceptionally(new IllegalStateException("redis down"));

            assertThat(failed).isCompletedExceptionally();
            assertThat(records).isEmpty();
        } finally {
            caffeine.removeHandler(handler);
        }
    }

    @Test
    void forget_whenCached_thenTheNextLookupLoads() throws Exception {
        AppSecretCache<Optional<String>> c = loaded(cache(), "old");

        c.forget("app");

        assertNextLookupLoads(c, "new");
    }

    @Test
    void forget_whenLoadInFlight_thenItsAnswerIsNotKept() throws Exception {
        AppSecretCache<Optional<String>> c = cache();
        CompletableFuture<Optional<String>> inFlight = c.get("app");

        c.forget("app");
        pending.get(0).complete(Optional.of("old"));

        assertThat(get(inFlight)).contains("old");
        c.get("app");
        assertThat(loads).hasSize(2);
    }

    @Test
    void get_whenMoreAppsThanTheBound_thenSizeStaysBounded() {
        AppSecretCache<Optional<String>> c = cache(16, TTL_MS);
        for (int i = 0; i < 100; i++) {
            c.get("app-" + i);
            pending.get(i).complete(Optional.of("s"));
        }

        assertThat(c.size()).isLessThanOrEqualTo(16);
    }
}
