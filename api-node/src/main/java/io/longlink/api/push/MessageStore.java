package io.longlink.api.push;

import static io.longlink.common.redis.RedisKeys.STAT_ACCEPTED_MS;
import static io.longlink.common.redis.RedisKeys.STAT_APP;
import static io.longlink.common.redis.RedisKeys.STAT_CREATED_MS;
import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.LuaScript;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.proto.api.MessageStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What the api-node keeps about messages: the status hash {@code ll:stat:{id}} (written once Kafka
 * accepted the push, kept for the message TTL plus {@code api.status-retention-seconds}; routers and
 * conn-nodes add their counters to it), and Revoke's tombstone in {@code ll:msg:{id}}. Request-id
 * reservations are {@link RequestIdReservations}.
 */
public final class MessageStore {
    private static final LuaScript REVOKE = LuaScript.resource(MessageStore.class, "revoke.lua");

    private final RedisStore store;
    private final RedisStore batchStore;
    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final StatusWrites unaryWrites;
    private final StatusWrites batchWrites;

    /**
     * @param redis      the node's shared connection: everything but PushBatch status writes
     * @param batchRedis a connection for PushBatch status writes only (its auto-flush is switched per batch)
     */
    public MessageStore(RedisStore redis, RedisStore batchRedis, long statusRetentionMs) {
        this.store = requireNonNull(redis, "redis");
        this.batchStore = requireNonNull(batchRedis, "batchRedis");
        this.redis = redis.async();
        this.unaryWrites = StatusWrites.shared(redis, statusRetentionMs);
        this.batchWrites = StatusWrites.pipelined(batchRedis, statusRetentionMs);
    }

    /** False while a connection the status writes need is down: a push then could not be given its status. */
    boolean connected() {
        return store.isConnected() && batchStore.isConnected();
    }

    /**
     * Where a call's status records are written: a unary Push's on the shared connection, a
     * PushBatch's in one flush on the batch connection.
     */
    StatusWrites statusWrites(boolean batch) {
        return batch ? batchWrites : unaryWrites;
    }

    /** The app that owns the message (its status hash's {@code app}), or null when no status is retained. */
    CompletionStage<String> owner(long messageId) {
        return redis.hget(RedisKeys.stat(messageId), STAT_APP).thenApply(MessageStore::text);
    }

    /**
     * Revokes a message in one script: {@code revoked_ms} (first time only), then the body replaced by
     * the tombstone. Completes with true when there was a body to withdraw.
     */
    CompletionStage<Boolean> revoke(long messageId, long nowMs) {
        CompletionStage<Long> removed = REVOKE.run(redis, ScriptOutputType.INTEGER,
                new String[] {RedisKeys.message(messageId), RedisKeys.stat(messageId)}, utf8(Long.toString(nowMs)),
                utf8(Long.toString(PushLimits.MAX_TTL_SECONDS * 1000L)));
        return removed.thenApply(n -> n == 1);
    }

    /** The message's status hash as GetMessageStatus shows it, with its owner (null when none is retained). */
    CompletionStage<StoredStatus> status(long messageId) {
        return redis.hgetall(RedisKeys.stat(messageId)).thenApply(fields -> new StoredStatus(
                text(fields.get(STAT_APP)),
                MessageStatus.newBuilder()
                        .setMessageId(messageId)
                        .setTargeted(number(fields, RedisKeys.STAT_TARGETED))
                        .setOnline(number(fields, RedisKeys.STAT_ONLINE))
                        .setStored(number(fields, RedisKeys.STAT_STORED))
                        .setAcked(number(fields, RedisKeys.STAT_ACKED))
                        .setExpired(number(fields, RedisKeys.STAT_EXPIRED))
                        .setRevoked(number(fields, RedisKeys.STAT_REVOKED))
                        .setDropped(number(fields, RedisKeys.STAT_DROPPED))
                        .setCreatedAtMs(number(fields, STAT_CREATED_MS))
                        .setAcceptedAtMs(number(fields, STAT_ACCEPTED_MS))
                        .setRoutedAtMs(number(fields, RedisKeys.STAT_ROUTED_MS))
                        .setRevokedAtMs(number(fields, RedisKeys.STAT_REVOKED_MS))
                        .setLogTrimmedAtMs(number(fields, RedisKeys.STAT_LOG_TRIMMED_MS))
                        .build()));
    }

    private static long number(Map<String, byte[]> fields, String name) {
        byte[] v = fields.get(name);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(new String(v, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String text(byte[] raw) {
        return raw == null ? null : new String(raw, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A status hash and the app that owns it (null when no status is retained). */
    record StoredStatus(String owner, MessageStatus status) {
    }
}
