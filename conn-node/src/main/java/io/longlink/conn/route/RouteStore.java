package io.longlink.conn.route;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.LuaScript;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.store.BatchOp;
import io.longlink.conn.store.RedisBatcher;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Device routes ({@code ll:route:{app:device}} = {@code nodeId|connectionId}, with a TTL).
 * Claimed at CONNECT with one {@code SET GET PX} (the old value names the connection to kick),
 * renewed and deleted in pipelined batches, and deleted only while it still names the closing
 * connection, so an old connection closing after a re-login elsewhere leaves the new route alone. A
 * renewal is one script that also says whether the route is still the connection's: a vanished
 * route is claimed again (routers stored the device's copies meanwhile), another connection's is
 * left alone.
 */
public final class RouteStore implements Routes {
    /** Compare-and-delete: one round trip, atomic, so a newer route is never removed. */
    static final String DELETE_IF_OWNED =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private final LuaScript renewScript = LuaScript.resource(RouteStore.class, "renew_route.lua");
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

    /** Queues a renewal; completes with what it found once Redis answered. */
    @Override
    public CompletionStage<RouteRenewal> renew(String key, String value) {
        Renew op = new Renew(key, value);
        if (!batcher.offer(op)) {
            return CompletableFuture.completedFuture(RouteRenewal.NOT_SENT);
        }
        return op.result;
    }

    /** Queues a compare-and-delete of the route. */
    @Override
    public void delete(String key, String value) {
        batcher.offer(new Delete(key, value));
    }

    private final class Renew implements BatchOp {
        private final String key;
        private final String value;
        final CompletableFuture<RouteRenewal> result = new CompletableFuture<>();

        Renew(String key, String value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            metrics.routeRenewals.inc();
            CompletionStage<Long> found = renewScript.eval(r, ScriptOutputType.INTEGER, new String[] {key},
                    value.getBytes(StandardCharsets.UTF_8),
                    Long.toString(ttlMillis).getBytes(StandardCharsets.US_ASCII));
            found.whenComplete((n, err) -> {
                if (err != null) {
                    result.completeExceptionally(err);
                    return;
                }
                RouteRenewal renewal = n == 1L ? RouteRenewal.RENEWED : n == 2L ? RouteRenewal.RECLAIMED
                        : RouteRenewal.TAKEN;
                if (renewal == RouteRenewal.RECLAIMED) {
                    metrics.routeRecreated.inc();
                } else if (renewal == RouteRenewal.TAKEN) {
                    metrics.routeLost.inc();
                }
                result.complete(renewal);
            });
            return found;
        }

        @Override
        public String kind() {
            return "route_renew";
        }

        @Override
        public boolean reserved() {
            return true;
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

        @Override
        public boolean reserved() {
            return true;
        }
    }
}
