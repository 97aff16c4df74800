package io.longlink.router.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.LuaScript;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The router's Redis work, shaped for batches: callers issue many commands inside
 * {@link #pipelined} (one network write), then wait for all of their futures together. Multi-key
 * writes are Lua scripts over keys of one slot (a device's keys, a message's keys, an app's
 * broadcast log), so they are atomic in Redis Cluster too.
 */
public final class RoutingStore implements BatchStore {
    /** Keys per MGET: big enough to amortise the round trip, small enough not to stall Redis. */
    static final int MGET_CHUNK = 1_000;
    private static final byte[] EMPTY = new byte[0];

    private final RedisStore redis;
    private final RedisClusterAsyncCommands<String, byte[]> cmd;
    private final LuaScript inboxAdd = LuaScript.resource(RoutingStore.class, "inbox_add.lua");
    private final LuaScript broadcastLog = LuaScript.resource(RoutingStore.class, "broadcast_log.lua");
    private final LuaScript countDrop = LuaScript.resource(RoutingStore.class, "count_drop.lua");
    private final LuaScript routedAgain = LuaScript.resource(RoutingStore.class, "routed_again.lua");

    public RoutingStore(RedisStore redis) {
        this.redis = requireNonNull(redis, "redis");
        this.cmd = redis.async();
    }

    /** Loads the scripts; again after a failure that says a Redis node lost them (restart, failover). */
    public void loadScripts(long timeoutMs) throws Exception {
        CompletableFuture.allOf(inboxAdd.load(cmd), broadcastLog.load(cmd), countDrop.load(cmd),
                        routedAgain.load(cmd))
                .get(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code issue} with auto-flush off, so every command it issues goes out in one write. */
    @Override
    public void pipelined(Runnable issue) {
        redis.startBatch();
        try {
            issue.run();
        } finally {
            redis.flushBatch();
        }
    }

    @Override
    public CompletableFuture<Set<byte[]>> aliasMembers(String appKey, String alias) {
        return cmd.smembers(RedisKeys.alias(appKey, alias)).toCompletableFuture();
    }

    /**
     * Route values for {@code routeKeys}, in order (null where the device has no route), as
     * MGETs of {@value #MGET_CHUNK} keys; a Redis Cluster connection splits each by slot.
     */
    @Override
    public CompletableFuture<List<byte[]>> routes(List<String> routeKeys) {
        List<CompletableFuture<List<KeyValue<String, byte[]>>>> parts = new ArrayList<>();
        for (int from = 0; from < routeKeys.size(); from += MGET_CHUNK) {
            List<String> chunk = routeKeys.subList(from, Math.min(routeKeys.size(), from + MGET_CHUNK));
            parts.add(cmd.mget(chunk.toArray(String[]::new)).toCompletableFuture());
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
            List<byte[]> out = new ArrayList<>(routeKeys.size());
            for (CompletableFuture<List<KeyValue<String, byte[]>>> p : parts) {
                for (KeyValue<String, byte[]> kv : p.join()) {
                    out.add(kv.hasValue() ? kv.getValue() : null);
                }
            }
            return out;
        });
    }

    /**
     * Stores a message's body for its TTL: {@code SET ll:msg:{id} <body> NX GET PX <ttl>}.
     * Completes with what the key held before: null on the message's first routing (the body is now
     * stored), the body on a later routing of the same message, the tombstone (see
     * {@link RedisKeys#isBody}) when it was revoked, in which case nothing was written.
     */
    @Override
    public CompletableFuture<byte[]> storeBody(long messageId, byte[] body, long ttlMs) {
        return cmd.setGet(RedisKeys.message(messageId), body, SetArgs.Builder.nx().px(ttlMs)).toCompletableFuture();
    }

    /**
     * Admits a message without storing its body (TTL 0, or a unicast awaiting its ACK): completes with
     * what {@code ll:msg:{id}} holds, the tombstone if it was revoked, a body if an earlier routing
     * stored one, else null.
     */
    @Override
    public CompletableFuture<byte[]> revocation(long messageId) {
        return cmd.get(RedisKeys.message(messageId)).toCompletableFuture();
    }

    /**
     * A direct message's status after its first routing, in one HSET: {@code routed_ms}, and the
     * counters that are not 0 ({@code targeted} is written even when 0). {@code acked} only when no
     * one else can have counted an ACK of this message yet (no copy of it was stored).
     */
    @Override
    public CompletableFuture<Long> firstRouted(long messageId, long nowMs, long targeted, long online, long stored,
                                               long acked) {
        Map<String, byte[]> fields = new LinkedHashMap<>(8);
        fields.put(RedisKeys.STAT_ROUTED_MS, ascii(nowMs));
        fields.put(RedisKeys.STAT_TARGETED, ascii(targeted));
        if (online > 0) {
            fields.put(RedisKeys.STAT_ONLINE, ascii(online));
        }
        if (stored > 0) {
            fields.put(RedisKeys.STAT_STORED, ascii(stored));
        }
        if (acked > 0) {
            fields.put(RedisKeys.STAT_ACKED, ascii(acked));
        }
        return cmd.hset(RedisKeys.stat(messageId), fields).toCompletableFuture();
    }

    /**
     * {@code routed_again.lua} on the message's status: a message routed again (a retry after a crash,
     * a duplicate command) adds nothing to the counters, which count devices, not copies; only when
     * the first routing's status never got written (it is sent after delivery, so a crash can come
     * between) does this routing write {@code routed_ms} and its counts.
     */
    @Override
    public CompletableFuture<Boolean> routedAgain(long messageId, long nowMs, long targeted, long online,
                                                  long stored) {
        List<byte[]> args = new ArrayList<>(8);
        args.add(RedisKeys.STAT_ROUTED_MS.getBytes(StandardCharsets.US_ASCII));
        args.add(ascii(nowMs));
        countArg(args, RedisKeys.STAT_TARGETED, targeted);
        countArg(args, RedisKeys.STAT_ONLINE, online);
        countArg(args, RedisKeys.STAT_STORED, stored);
        return routedAgain.<Long>evalsha(cmd, ScriptOutputType.INTEGER, new String[] {RedisKeys.stat(messageId)},
                args.toArray(byte[][]::new)).thenApply(n -> n == 1);
    }

    private static void countArg(List<byte[]> args, String field, long n) {
        if (n > 0) {
            args.add(field.getBytes(StandardCharsets.US_ASCII));
            args.add(ascii(n));
        }
    }

    /** {@code routed_ms} alone, for a fan-out message's first routing (its counters are increments). */
    @Override
    public CompletableFuture<Boolean> routed(long messageId, long nowMs) {
        return cmd.hset(RedisKeys.stat(messageId), RedisKeys.STAT_ROUTED_MS, ascii(nowMs)).toCompletableFuture();
    }

    /**
     * One {@code inbox_add.lua} call: the message at the device's next inbox position unless it is there
     * already or the device ACKed it before this write (a conn-node's marker), replacing the one its collapse key named, trimmed to the newest {@code inboxMax}, the
     * inbox and its counter kept at least {@code ttlMs}. One script for every copy stored: the position
     * ({@code INCR}) and the add must not be split.
     */
    @Override
    public CompletableFuture<InboxAdd> addToInbox(String appKey, String deviceId, byte[] member, byte[] inboxMax,
                                                  byte[] ttlMs, byte[] collapseKey) {
        String[] keys = {RedisKeys.inbox(appKey, deviceId), RedisKeys.inboxSeq(appKey, deviceId),
            RedisKeys.collapse(appKey, deviceId),
            RedisKeys.ackedBeforeStored(appKey, deviceId, new String(member, StandardCharsets.US_ASCII))};
        return inboxAdd.<List<Object>>evalsha(cmd, ScriptOutputType.MULTI, keys, member, inboxMax, ttlMs, collapseKey)
                .thenApply(RoutingStore::inboxAdd);
    }

    /** One {@code broadcast_log.lua} call on the app's log, filters and position counter (one slot). */
    @Override
    public CompletableFuture<LogAppend> appendBroadcast(String appKey, byte[] member, byte[] filter, byte[] logMax,
                                                        byte[] ttlMs) {
        String[] keys = {RedisKeys.broadcastLog(appKey), RedisKeys.broadcastFilter(appKey),
            RedisKeys.broadcastSeq(appKey)};
        return broadcastLog.<List<Object>>evalsha(cmd, ScriptOutputType.MULTI, keys, member, filter, logMax, ttlMs)
                .thenApply(reply -> new LogAppend((Long) reply.get(0), ids(reply, 1)));
    }

    /** {@code count_drop.lua} on the message's body and status (one slot): {@code HINCRBY dropped 1}. */
    @Override
    public CompletableFuture<Boolean> countInboxDrop(long messageId) {
        return countDrop(messageId, RedisKeys.STAT_DROPPED, EMPTY);
    }

    /** {@code count_drop.lua}: {@code HSETNX log_trimmed_ms <now>}. */
    @Override
    public CompletableFuture<Boolean> countLogTrim(long messageId, long nowMs) {
        return countDrop(messageId, RedisKeys.STAT_LOG_TRIMMED_MS, ascii(nowMs));
    }

    private CompletableFuture<Boolean> countDrop(long messageId, String field, byte[] value) {
        String[] keys = {RedisKeys.message(messageId), RedisKeys.stat(messageId)};
        return countDrop.<Long>evalsha(cmd, ScriptOutputType.INTEGER, keys,
                field.getBytes(StandardCharsets.US_ASCII), value).thenApply(n -> n == 1);
    }

    /** The reply {@code {added, replaced member or nil, trimmed member...}}. */
    static InboxAdd inboxAdd(List<Object> reply) {
        Object replaced = reply.size() > 1 ? reply.get(1) : null;
        return new InboxAdd((Long) reply.get(0) == 1, replaced == null ? 0 : messageId((byte[]) replaced),
                ids(reply, 2));
    }

    /** The message ids of the members from {@code from} on. */
    private static List<Long> ids(List<Object> reply, int from) {
        if (reply.size() <= from) {
            return List.of();
        }
        List<Long> ids = new ArrayList<>(reply.size() - from);
        for (int i = from; i < reply.size(); i++) {
            ids.add(messageId((byte[]) reply.get(i)));
        }
        return ids;
    }

    /** The id an inbox or log member (20 digits) stands for. */
    static long messageId(byte[] member) {
        return Long.parseUnsignedLong(new String(member, StandardCharsets.US_ASCII));
    }

    @Override
    public CompletableFuture<Long> count(long messageId, String field, long n) {
        return cmd.hincrby(RedisKeys.stat(messageId), field, n).toCompletableFuture();
    }

    public static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }
}
