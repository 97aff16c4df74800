package io.longlink.conn.route;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.store.BatchOp;
import io.longlink.conn.store.RedisBatcher;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * Device routes ({@code ll:route:{app:device}} = {@code nodeId|connectionId}, with a TTL).
 * Claimed at CONNECT with one {@code SET GET PX} (the old value names the connection to kick),
 * renewed and deleted in pipelined batches, and deleted only while it still names the closing
 * connection, so an old connection closing after a re-login elsewhere leaves the new route alone.
 */
public final class RouteStore implements Routes {
    /** Compare-and-delete: one round trip, atomic, so a newer route is never removed. */
    static final String DELETE_IF_OWNED =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final RedisBatcher batcher;
    private final long ttlMillis;
    private final ConnMetrics metrics;

    public RouteStore(RedisClusterAsyncCommands<String, byte[]> redis, RedisBatcher batcher, long ttlMillis,
                      ConnMetrics metrics) {
        this.redis = requireNonNull(redis, "redis");
        this.batcher = requireNonNull(batcher, "batcher");
        this.ttlMillis = ttlMillis;
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /**
     * Writes the route and returns the previous value (null if none). Issued immediately on the
     * shared connection, so claims made in some order on this node reach Redis in that order.
     */
    @Override
    public CompletionStage<byte[]> claim(String key, String value) {
        return redis.setGet(key, value.getBytes(StandardCharsets.UTF_8), SetArgs.Builder.px(ttlMillis));
    }

    /**
     * Queues a TTL renewal. If the route has vanished (expired during a pause, or Redis lost it)
     * while {@code stillOwner} holds, it is written again with NX, so a newer route is not replaced.
     */
    @Override
    public void renew(String key, String value, BooleanSupplier stillOwner) {
        batcher.offer(new Renew(key, value, stillOwner));
    }

    /** Queues a compare-and-delete of the route. */
    @Override
    public void delete(String key, String value) {
        batcher.offer(new Delete(key, value));
    }

    private final class Renew implements BatchOp {
        private final String key;
        private final String value;
        private final BooleanSupplier stillOwner;

        Renew(String key, String value, BooleanSupplier stillOwner) {
            this.key = key;
            this.value = value;
            this.stillOwner = stillOwner;
        }

        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            metrics.routeRenewals.inc();
            CompletionStage<Boolean> renewed = r.pexpire(key, ttlMillis);
            renewed.thenAccept(ok -> {
                if (!Boolean.TRUE.equals(ok) && stillOwner.getAsBoolean()) {
                    metrics.routeRecreated.inc();
                    // a reply callback must not use the batch connection: the shared one takes this rare write
                    redis.set(key, value.getBytes(StandardCharsets.UTF_8), SetArgs.Builder.nx().px(ttlMillis));
                }
            });
            return renewed;
        }

        @Override
        public String kind() {
            return "route_renew";
        }
    }

    private final class Delete implements BatchOp {
        private final String key;
        private final String value;

        Delete(String key, String value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            metrics.routeDeletes.inc();
            return r.eval(DELETE_IF_OWNED, ScriptOutputType.INTEGER, new String[] {key},
                    value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String kind() {
            return "route_delete";
        }
    }
}
