package io.longlink.api;

import io.longlink.common.redis.RedisStore;
import io.longlink.testsupport.RedisServer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** What the store integration tests share: a connection to the test Redis and a bounded wait for a reply. */
public final class StoreTesting {
    private StoreTesting() {
    }

    public static RedisStore connect(RedisServer server) {
        return RedisStore.open(server.uri(), false, 2_000);
    }

    public static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
