package io.longlink.api.push;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisStore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Redis connection a call's status-hash writes go out on, between {@link #begin} and {@link #end}.
 *
 * <p>A unary Push writes on the node's shared connection, where Lettuce flushes each command as it is
 * issued: other calls use that connection at the same time, so its auto-flush must stay on. A
 * PushBatch writes on a connection of its own with auto-flush off from {@code begin} to {@code end},
 * so the hundreds of writes of one batch leave in one flush instead of one socket write each. Auto-flush
 * is a property of the whole connection, hence the lock: one thread at a time issues on the pipelined
 * connection. It is held only while commands are issued (microseconds), never while replies are awaited.
 */
final class StatusWrites {
    private final RedisStore store;
    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final ReentrantLock lock;

    private StatusWrites(RedisStore store, boolean pipelined) {
        this.store = requireNonNull(store, "store");
        this.redis = store.async();
        this.lock = pipelined ? new ReentrantLock() : null;
    }

    /** Writes on a connection other calls share: each command is flushed as issued. */
    static StatusWrites shared(RedisStore store) {
        return new StatusWrites(store, false);
    }

    /** Writes on a connection used by nothing else: what is issued between begin and end leaves in one flush. */
    static StatusWrites pipelined(RedisStore store) {
        return new StatusWrites(store, true);
    }

    /** The commands to issue on; pair with {@link #end} in a finally block. */
    RedisClusterAsyncCommands<String, byte[]> begin() {
        if (lock != null) {
            lock.lock();
            try {
                store.startBatch();
            } catch (RuntimeException e) {
                lock.unlock();
                throw e;
            }
        }
        return redis;
    }

    void end() {
        if (lock != null) {
            try {
                store.flushBatch();
            } finally {
                lock.unlock();
            }
        }
    }
}
