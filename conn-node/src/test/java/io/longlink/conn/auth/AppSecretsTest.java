package io.longlink.conn.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AppSecretsTest {
    private final AtomicLong clock = new AtomicLong();
    private final List<String> loads = new ArrayList<>();
    private final List<CompletableFuture<String>> pending = new ArrayList<>();

    private AppSecrets cache(int max) {
        return new AppSecrets(key -> {
            loads.add(key);
            CompletableFuture<String> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }, max, 1_000, 100, clock::get);
    }

    private static AppSecrets.App get(CompletionStage<AppSecrets.App> s) throws Exception {
        return s.toCompletableFuture().get(1, TimeUnit.SECONDS);
    }

    @Test
    void get_whenConcurrentLookups_thenOneLoadShared() throws Exception {
        AppSecrets c = cache(10);
        CompletionStage<AppSecrets.App> a = c.get("app");
        CompletionStage<AppSecrets.App> b = c.get("app");
        assertThat(loads).containsExactly("app");
        pending.get(0).complete("s3cret");
        assertThat(get(a).secret()).isEqualTo("s3cret");
        assertThat(get(b).secret()).isEqualTo("s3cret");
        assertThat(get(c.get("app")).known()).isTrue();
        assertThat(loads).hasSize(1);
    }

    @Test
    void get_whenEntryExpires_thenLoadedAgain() throws Exception {
        AppSecrets c = cache(10);
        CompletionStage<AppSecrets.App> first = c.get("app");
        pending.get(0).complete("one");
        assertThat(get(first).secret()).isEqualTo("one");
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
        c.get("app");
        assertThat(loads).hasSize(1);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        CompletionStage<AppSecrets.App> second = c.get("app");
        assertThat(loads).hasSize(2);
        pending.get(1).complete("two");
        assertThat(get(second).secret()).isEqualTo("two");
    }

    @Test
    void get_whenUnknownApp_thenCachedForTheShorterNegativeTtl() throws Exception {
        AppSecrets c = cache(10);
        CompletionStage<AppSecrets.App> unknown = c.get("nope");
        pending.get(0).complete(null);
        assertThat(get(unknown).known()).isFalse();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(99));
        c.get("nope");
        assertThat(loads).hasSize(1);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        c.get("nope");
        assertThat(loads).hasSize(2);
    }

    @Test
    void get_whenLoadFails_thenFailureNotCached() {
        AppSecrets c = cache(10);
        CompletionStage<AppSecrets.App> failed = c.get("app");
        pending.get(0).completeExceptionally(new IllegalStateException("redis down"));
        assertThatThrownBy(() -> get(failed)).isInstanceOf(ExecutionException.class).hasMessageContaining("redis down");
        c.get("app");
        assertThat(loads).hasSize(2);
    }

    @Test
    void get_whenMoreAppsThanBound_thenSizeStaysBounded() {
        AppSecrets c = cache(16);
        for (int i = 0; i < 100; i++) {
            c.get("app-" + i);
            pending.get(i).complete("s");
        }
        assertThat(c.size()).isLessThanOrEqualTo(17);
    }
}
