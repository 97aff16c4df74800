package io.longlink.conn.store;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import java.util.concurrent.CompletionStage;

/** {@code HINCRBY ll:stat:{id} <field> <n>}: a count on a message's status, batched. */
public record StatIncrement(long messageId, String field, long n) implements BatchOp {
    @Override
    public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
        return r.hincrby(RedisKeys.stat(messageId), field, n);
    }

    @Override
    public String kind() {
        return "stat";
    }
}
