package io.longlink.api.push;

import static io.longlink.common.redis.RedisKeys.STAT_ACCEPTED_MS;
import static io.longlink.common.redis.RedisKeys.STAT_APP;
import static io.longlink.common.redis.RedisKeys.STAT_CREATED_MS;
import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
    private final long retentionMs;

    private StatusWrites(RedisStore store, boolean pipelined, long retentionMs) {
        this.store = requireNonNull(store, "store");
        this.redis = store.async();
        this.lock = pipelined ? new ReentrantLock() : null;
        this.retentionMs = retentionMs;
    }

    /** Writes on a connection other calls share: each command is flushed as issued. */
    static StatusWrites shared(RedisStore store, long retentionMs) {
        return new StatusWrites(store, false, retentionMs);
    }

    /** Writes on a connection used by nothing else: what is issued between begin and end leaves in one flush. */
    static StatusWrites pipelined(RedisStore store, long retentionMs) {
        return new StatusWrites(store, true, retentionMs);
    }

    /** Starts issuing; pair with {@link #end} in a finally block. */
    void begin() {
        if (lock != null) {
            lock.lock();
            try {
                store.startBatch();
            } catch (RuntimeException e) {
                lock.unlock();
                throw e;
            }
        }
    }

    /**
     * Between begin and end: the status of a push Kafka accepted, one HSET (owner, {@code created_ms},
     * {@code accepted_ms}) and one PEXPIRE (the message TTL plus the retention). Each write's reply
     * stage goes to {@code watch}.
     */
    void accepted(long messageId, byte[] app, long createdMs, byte[] acceptedMs, int ttlSeconds,
                  Consumer<CompletionStage<?>> watch) {
        String stat = RedisKeys.stat(messageId);
        watch.accept(redis.hset(stat, Map.of(STAT_APP, app, STAT_CREATED_MS,
                MessageStore.utf8(Long.toString(createdMs)), STAT_ACCEPTED_MS, acceptedMs)));
        watch.accept(redis.pexpire(stat, ttlSeconds * 1000L + retentionMs));
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
