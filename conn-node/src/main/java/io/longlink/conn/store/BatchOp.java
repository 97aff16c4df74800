package io.longlink.conn.store;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletionStage;

/** One queued Redis operation of the {@link RedisBatcher}; issued on the batcher thread, never blocking. */
public interface BatchOp {
    /** Issues the commands (they go out with the batch's flush) and returns the last reply. */
    CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> redis);

    /** Metric label when the op is dropped or fails. */
    String kind();

    /** The commands it issues: what it takes of the queue's capacity. */
    default int weight() {
        return 1;
    }

    /**
     * Whether it may use the queue's reserved share: route renewals and deletes and log positions,
     * which keep devices reachable and are cheap, are never crowded out by ACK removals.
     */
    default boolean reserved() {
        return false;
    }
}
