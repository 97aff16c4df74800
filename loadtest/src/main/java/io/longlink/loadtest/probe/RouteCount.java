package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** How many routes an app has in Redis: one per connected device once the conn-nodes have written them. */
public final class RouteCount {
    private RouteCount() {
    }

    /** SCANs the app's route keys (a page at most 10 s); never KEYS, which would block Redis. */
    public static long of(RedisClusterAsyncCommands<String, byte[]> redis, String appKey)
            throws InterruptedException, ExecutionException, TimeoutException {
        requireNonNull(redis, "redis");
        requireNonNull(appKey, "appKey");
        ScanArgs args = ScanArgs.Builder.matches(RedisKeys.ROUTE + "{" + appKey + ":*").limit(2_000);
        long count = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, args).get(10, TimeUnit.SECONDS);
            count += page.getKeys().size();
            cursor = page;
        } while (!cursor.isFinished());
        return count;
    }
}
