package io.longlink.api;

import io.longlink.common.redis.RedisStore;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the store integration tests share: the test Redis (the one {@link Infra} shares), connections
 * to it that close after each test, and a bounded wait for a reply.
 *
 * <pre>
 * class FooStoreIntegrationTest {
 *     &#64;RegisterExtension
 *     final StoreTesting redis = new StoreTesting();
 * }
 * </pre>
 */
public final class StoreTesting implements BeforeEachCallback, AfterEachCallback {
    private final List<RedisStore> connections = new ArrayList<>();
    private RedisServer server;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server = Infra.shared(context, RedisServer.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        connections.forEach(RedisStore::close);
        connections.clear();
    }

    /** A new connection for the store under test, closed after the test. */
    public RedisStore connect() {
        return connect(2_000);
    }

    /** A new connection whose commands time out after {@code timeoutMs}, closed after the test. */
    public RedisStore connect(int timeoutMs) {
        RedisStore store = RedisStore.open(server.uri(), false, timeoutMs);
        connections.add(store);
        return store;
    }

    /** One inline command on the test Redis, for arranging and checking raw keys (see {@link RedisServer#command}). */
    public String command(String command) {
        return server.command(command);
    }

    public static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
