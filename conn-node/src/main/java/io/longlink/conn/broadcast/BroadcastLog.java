package io.longlink.conn.broadcast;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.LuaScript;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.conn.store.BatchOp;
import io.longlink.conn.store.RedisBatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The conn-node's side of an app's broadcast log ({@code ll:bcast:{app}}, scored by log position,
 * and {@code ll:bcastf:{app}}, written by routers for tag and broadcast pushes with a TTL): the
 * device's position ({@code ll:seen}), pages of entries with their filters, the bodies of the
 * entries a device matches, the position moved forward once the device has them, and the ACKs of
 * tag and broadcast copies ({@link FanOutAcks}). docs/data-model.md, "Broadcast log", describes the
 * whole exchange.
 */
public final class BroadcastLog implements BroadcastLogs {
    /** How long a device's position is kept: the longest message TTL, so it outlives every entry after it. */
    public static final long SEEN_TTL_MS = 864_000_000L;

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final RedisBatcher batcher;
    private final FanOutAcks acks;
    private final LuaScript page = LuaScript.resource(BroadcastLog.class, "broadcast_page.lua");

    public BroadcastLog(RedisClusterAsyncCommands<String, byte[]> redis, RedisBatcher batcher, FanOutAcks acks) {
        this.redis = requireNonNull(redis, "redis");
        this.batcher = requireNonNull(batcher, "batcher");
        this.acks = requireNonNull(acks, "acks");
    }

    @Override
    public CompletionStage<String> position(String appKey, String deviceId) {
        return redis.get(RedisKeys.seen(appKey, deviceId))
                .thenApply(v -> v == null ? null : new String(v, StandardCharsets.US_ASCII));
    }

    /** One page of log entries with their positions and filters: one script on the app's slot. */
    @Override
    public CompletionStage<Page> readPage(String appKey, PageCursor after, int count) {
        int ask = after.ask(count);
        CompletionStage<List<Object>> reply = page.run(redis, ScriptOutputType.MULTI,
                new String[] {RedisKeys.broadcastLog(appKey), RedisKeys.broadcastFilter(appKey)},
                after.min().getBytes(StandardCharsets.US_ASCII),
                Integer.toString(ask).getBytes(StandardCharsets.US_ASCII));
        return reply.thenApply(r -> page(r, after, count, ask));
    }

    @SuppressWarnings("unchecked")
    private static Page page(List<Object> reply, PageCursor after, int count, int ask) {
        if (reply == null || reply.size() < 3) {
            return new Page(List.of(), new long[0], List.of(), after, true);
        }
        List<byte[]> members = (List<byte[]>) reply.get(0);
        List<byte[]> positions = (List<byte[]>) reply.get(1);
        List<byte[]> filters = (List<byte[]>) reply.get(2);
        List<String> kept = new ArrayList<>(Math.min(count, members.size()));
        long[] keptPositions = new long[Math.min(count, members.size())];
        List<byte[]> keptFilters = new ArrayList<>(keptPositions.length);
        PageCursor next = after;
        boolean cut = false;
        for (int i = 0; i < members.size(); i++) {
            String member = new String(members.get(i), StandardCharsets.US_ASCII);
            long position = (long) Double.parseDouble(new String(positions.get(i), StandardCharsets.US_ASCII));
            if (after.wasRead(position, member)) {
                continue;
            }
            if (kept.size() == count) {
                cut = true;
                break;
            }
            keptPositions[kept.size()] = position;
            kept.add(member);
            keptFilters.add(filters.get(i));
            next = next.past(position, member);
        }
        return new Page(kept, Arrays.copyOf(keptPositions, kept.size()), keptFilters, next,
                members.size() < ask && !cut);
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

    /** Queues {@code SET ll:seen <position> PX}: the next replay starts after {@code position}. */
    @Override
    public void markSeen(String appKey, String deviceId, long position) {
        batcher.offer(new SeenOp(RedisKeys.seen(appKey, deviceId),
                Long.toString(position).getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void acked(String appKey, String deviceId, long id) {
        acks.acked(appKey, deviceId, id);
    }

    private record SeenOp(String key, byte[] position) implements BatchOp {
        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            return r.set(key, position, SetArgs.Builder.px(SEEN_TTL_MS));
        }

        @Override
        public String kind() {
            return "seen";
        }

        @Override
        public boolean reserved() {
            return true;
        }
    }
}
