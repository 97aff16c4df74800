package io.longlink.conn.broadcast;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.LuaScript;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.inbox.Inbox;
import io.longlink.conn.store.BatchOp;
import io.longlink.conn.store.RedisBatcher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The conn-node's side of an app's broadcast log ({@code ll:bcast:{app}} + {@code ll:bcastf:{app}},
 * written by routers for tag and broadcast pushes with a TTL): the device's position
 * ({@code ll:seen}), pages of entries with their filters, the bodies of the entries a device
 * matches, and the position moved forward once the device has them. docs/data-model.md, "Broadcast
 * log", describes the whole exchange.
 */
public final class BroadcastLog implements BroadcastLogs {
    /** How long a device's position is kept: the longest message TTL, so it outlives every entry after it. */
    public static final long SEEN_TTL_MS = 864_000_000L;

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final RedisBatcher batcher;
    private final LuaScript page = LuaScript.resource(BroadcastLog.class, "broadcast_page.lua");

    public BroadcastLog(RedisClusterAsyncCommands<String, byte[]> redis, RedisBatcher batcher) {
        this.redis = requireNonNull(redis, "redis");
        this.batcher = requireNonNull(batcher, "batcher");
    }

    @Override
    public CompletionStage<String> position(String appKey, String deviceId) {
        return redis.get(RedisKeys.seen(appKey, deviceId))
                .thenApply(v -> v == null ? null : new String(v, StandardCharsets.US_ASCII));
    }

    /** Where a catch-up starts: the stored position if valid, else the CONNECT hint, else the start ("-"). */
    public static String start(String seen, long lastMessageIdHint) {
        if (seen != null && Inbox.parseMember(seen) != 0) {
            return seen;
        }
        return lastMessageIdHint == 0 ? "-" : RedisKeys.inboxMember(lastMessageIdHint);
    }

    /** One page of log entries with their filters: one script on the app's slot. */
    @Override
    public CompletionStage<Page> readPage(String appKey, String afterMember, int count) {
        String min = afterMember.equals("-") ? "-" : "(" + afterMember;
        CompletionStage<List<Object>> reply = page.run(redis, ScriptOutputType.MULTI,
                new String[] {RedisKeys.broadcastLog(appKey), RedisKeys.broadcastFilter(appKey)},
                min.getBytes(StandardCharsets.US_ASCII), Integer.toString(count).getBytes(StandardCharsets.US_ASCII));
        return reply.thenApply(BroadcastLog::page);
    }

    @SuppressWarnings("unchecked")
    private static Page page(List<Object> reply) {
        if (reply == null || reply.size() < 2) {
            return Page.EMPTY;
        }
        return new Page((List<byte[]>) reply.get(0), (List<byte[]>) reply.get(1));
    }

    /** Bodies of {@code ids[0..n)}, in order: one MGET (Lettuce splits it per slot in a cluster). */
    @Override
    public CompletionStage<List<KeyValue<String, byte[]>>> bodies(long[] ids, int n) {
        if (n == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = RedisKeys.message(ids[i]);
        }
        return redis.mget(keys);
    }

    /** Queues {@code SET ll:seen <member> PX}: the next CONNECT starts after {@code member}. */
    @Override
    public void markSeen(String appKey, String deviceId, String member) {
        batcher.offer(new SeenOp(RedisKeys.seen(appKey, deviceId), member.getBytes(StandardCharsets.US_ASCII)));
    }

    private record SeenOp(String key, byte[] member) implements BatchOp {
        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            return r.set(key, member, SetArgs.Builder.px(SEEN_TTL_MS));
        }

        @Override
        public String kind() {
            return "seen";
        }
    }
}
