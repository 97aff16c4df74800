package io.longlink.conn.tag;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Device tags ({@code ll:tags:{app:device}}, a set the api-node writes): read with one SMEMBERS at
 * CONNECT and on RefreshTags.
 */
public final class TagStore implements Tags {
    private final RedisClusterAsyncCommands<String, byte[]> redis;

    public TagStore(RedisClusterAsyncCommands<String, byte[]> redis) {
        this.redis = requireNonNull(redis, "redis");
    }

    @Override
    public CompletionStage<List<String>> read(String appKey, String deviceId) {
        // completed by hand, not thenApply: a failure reaches the caller as Redis raised it, unwrapped
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        redis.smembers(RedisKeys.tags(appKey, deviceId)).whenComplete((members, err) -> {
            if (err != null) {
                names.completeExceptionally(err);
            } else {
                names.complete(names(members));
            }
        });
        return names;
    }

    private static List<String> names(Set<byte[]> members) {
        List<String> names = new ArrayList<>(members.size());
        for (byte[] m : members) {
            names.add(new String(m, StandardCharsets.UTF_8));
        }
        return names;
    }
}
