package io.longlink.conn.inbox;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.LuaScript;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.receipt.ReceiptSink;
import io.longlink.conn.store.BatchOp;
import io.longlink.conn.store.RedisBatcher;
import io.longlink.conn.store.StatIncrement;
import io.longlink.proto.receipt.ReceiptKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A device's store-and-forward inbox: reads by position for the catch-up, removal on ACK (counted
 * once: only a ZREM that removed something counts {@code acked} and emits a receipt) and removal of
 * entries whose body is gone (counted {@code revoked} when the message was revoked, else
 * {@code expired}, with the receipt of that kind).
 */
public final class Inbox implements Inboxes {
    private static final byte[][] UNDELIVERED_ARGS = {
            RedisKeys.STAT_REVOKED_MS.getBytes(StandardCharsets.US_ASCII),
            RedisKeys.STAT_REVOKED.getBytes(StandardCharsets.US_ASCII),
            RedisKeys.STAT_EXPIRED.getBytes(StandardCharsets.US_ASCII)};

    private final LuaScript countUndelivered = LuaScript.resource(Inbox.class, "count_undelivered.lua");
    private final LuaScript ackLate = LuaScript.resource(Inbox.class, "ack_late.lua");
    /** How long a late ACK's marker waits for the router's inbox write (it comes within a batch's round). */
    private static final byte[] LATE_MARKER_TTL_MS = "600000".getBytes(StandardCharsets.US_ASCII);

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final RedisBatcher batcher;
    private final ReceiptSink receipts;
    private final ConnMetrics metrics;

    public Inbox(RedisClusterAsyncCommands<String, byte[]> redis, RedisBatcher batcher, ReceiptSink receipts,
                 ConnMetrics metrics) {
        this.redis = requireNonNull(redis, "redis");
        this.batcher = requireNonNull(batcher, "batcher");
        this.receipts = requireNonNull(receipts, "receipts");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /**
     * Reads up to {@code count} entries after {@code after}, in position order, with their bodies:
     * one ZRANGEBYSCORE and one MGET (split per slot by Lettuce in a cluster).
     */
    @Override
    public CompletionStage<InboxPage> readPage(String appKey, String deviceId, PageCursor after, int count) {
        int ask = after.ask(count);
        Range<Long> from = after.member() == null ? Range.unbounded()
                : Range.from(Range.Boundary.including(after.position()), Range.Boundary.unbounded());
        CompletionStage<List<ScoredValue<byte[]>>> read = redis.zrangebyscoreWithScores(
                RedisKeys.inbox(appKey, deviceId), from, Limit.create(0, ask));
        return read.thenCompose(raw -> {
            List<InboxEntry> entries = new ArrayList<>(Math.min(raw.size(), count));
            List<String> keys = new ArrayList<>(entries.size());
            PageCursor next = after;
            boolean cut = false;
            for (ScoredValue<byte[]> v : raw) {
                String member = new String(v.getValue(), StandardCharsets.US_ASCII);
                long position = (long) v.getScore();
                if (after.wasRead(position, member)) {
                    continue;
                }
                if (entries.size() == count) {
                    cut = true;
                    break;
                }
                long id = parseMember(member);
                entries.add(new InboxEntry(member, id, position, null));
                if (id != 0) {
                    keys.add(RedisKeys.message(id));
                }
                next = next.past(position, member);
            }
            boolean last = raw.size() < ask && !cut;
            PageCursor end = next;
            if (keys.isEmpty()) {
                return CompletableFuture.completedFuture(new InboxPage(entries, end, last));
            }
            return redis.mget(keys.toArray(new String[0]))
                    .thenApply(values -> new InboxPage(withBodies(entries, values), end, last));
        });
    }

    private static List<InboxEntry> withBodies(List<InboxEntry> entries, List<KeyValue<String, byte[]>> values) {
        List<InboxEntry> out = new ArrayList<>(entries.size());
        int v = 0;
        for (InboxEntry e : entries) {
            byte[] body = null;
            if (e.id() != 0) {
                KeyValue<String, byte[]> kv = values.get(v++);
                body = kv.hasValue() && RedisKeys.isBody(kv.getValue()) ? kv.getValue() : null;
            }
            out.add(new InboxEntry(e.member(), e.id(), e.position(), body));
        }
        return out;
    }

    /** @return the id, or 0 when the member is not 20 decimal digits of an unsigned 64-bit value */
    public static long parseMember(String member) {
        if (member.length() != 20) {
            return 0;
        }
        for (int i = 0; i < 20; i++) {
            char c = member.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
        }
        try {
            return Long.parseUnsignedLong(member);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Queues removal of ACKed ids, or parks it until the queue has room; each removal that happened counts once. */
    @Override
    public boolean ack(String appKey, String deviceId, long[] ids, Runnable queuedLater) {
        return batcher.offerOrPark(new AckOp(appKey, deviceId, ids), queuedLater);
    }

    /**
     * A live copy the device acknowledged before the router wrote it anywhere: counted and reported
     * here; the router counts it in the message's status.
     */
    @Override
    public void ackedLive(String appKey, String deviceId, long id) {
        metrics.acked.inc();
        receipts.receipt(ReceiptKind.ACKED, appKey, deviceId, id);
    }

    /** Queues the late ACK's script; dropped when the queue is full (the entry then comes again). */
    @Override
    public void ackedLate(String appKey, String deviceId, long id) {
        batcher.offer(new LateAckOp(appKey, deviceId, id));
    }

        /** Queues removal of an entry whose body expired or does not parse. */
    @Override
    public void expire(String appKey, String deviceId, InboxEntry entry) {
        batcher.offer(new ExpireOp(appKey, deviceId, entry));
    }

    /**
     * Queues the count of one copy of message {@code id} that was not delivered because its body is
     * gone: {@code revoked} if {@code ll:stat:{id}} has {@code revoked_ms}, else {@code expired}, and
     * the matching receipt for the device. One script on the status hash (the check and the count
     * together), issued only for such entries.
     */
    @Override
    public void countUndelivered(String appKey, String deviceId, long id) {
        batcher.offer(new UndeliveredOp(appKey, deviceId, id));
    }

    /** An ACK whose removal (or late-ACK marker) happened, {@code n} = 1: counted once, with its receipt. */
    private void countAcked(Long n, String appKey, String deviceId, long id) {
        if (n != null && n == 1L) {
            metrics.acked.inc();
            batcher.offer(new StatIncrement(id, RedisKeys.STAT_ACKED, 1));
            receipts.receipt(ReceiptKind.ACKED, appKey, deviceId, id);
        }
    }

    private final class AckOp implements BatchOp {
        private final String appKey;
        private final String deviceId;
        private final long[] ids;

        AckOp(String appKey, String deviceId, long[] ids) {
            this.appKey = appKey;
            this.deviceId = deviceId;
            this.ids = ids;
        }

        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            String key = RedisKeys.inbox(appKey, deviceId);
            CompletionStage<?> last = null;
            for (long id : ids) {
                CompletionStage<Long> removed = r.zrem(key, RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII));
                removed.thenAccept(n -> countAcked(n, appKey, deviceId, id));
                last = removed;
            }
            return last == null ? CompletableFuture.completedFuture(null) : last;
        }

        @Override
        public String kind() {
            return "ack";
        }

        @Override
        public int weight() {
            return ids.length;
        }
    }

    private final class ExpireOp implements BatchOp {
        private final String appKey;
        private final String deviceId;
        private final InboxEntry entry;

        ExpireOp(String appKey, String deviceId, InboxEntry entry) {
            this.appKey = appKey;
            this.deviceId = deviceId;
            this.entry = entry;
        }

        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            CompletionStage<Long> removed = r.zrem(RedisKeys.inbox(appKey, deviceId),
                    entry.member().getBytes(StandardCharsets.US_ASCII));
            removed.thenAccept(n -> {
                if (n != null && n == 1L) {
                    metrics.inboxExpired.inc();
                    if (entry.id() != 0) {
                        batcher.offer(new UndeliveredOp(appKey, deviceId, entry.id())); // removed once: counted once
                    }
                }
            });
            return removed;
        }

        @Override
        public String kind() {
            return "expire";
        }
    }

    private final class UndeliveredOp implements BatchOp {
        private final String appKey;
        private final String deviceId;
        private final long id;

        UndeliveredOp(String appKey, String deviceId, long id) {
            this.appKey = appKey;
            this.deviceId = deviceId;
            this.id = id;
        }

        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            CompletionStage<Long> counted = countUndelivered.eval(r, ScriptOutputType.INTEGER,
                    new String[] {RedisKeys.stat(id)}, UNDELIVERED_ARGS);
            counted.thenAccept(n -> {
                metrics.undelivered(n);
                // without a status hash nothing says it was revoked: its body is gone, so it expired
                receipts.receipt(n != null && n == 2L ? ReceiptKind.REVOKED : ReceiptKind.EXPIRED, appKey, deviceId,
                        id);
            });
            return counted;
        }

        @Override
        public String kind() {
            return "undelivered";
        }
    }

    private final class LateAckOp implements BatchOp {
        private final String appKey;
        private final String deviceId;
        private final long id;

        LateAckOp(String appKey, String deviceId, long id) {
            this.appKey = appKey;
            this.deviceId = deviceId;
            this.id = id;
        }

        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            String member = RedisKeys.inboxMember(id);
            CompletionStage<Long> counted = ackLate.eval(r, ScriptOutputType.INTEGER,
                    new String[] {RedisKeys.inbox(appKey, deviceId), RedisKeys.ackedBeforeStored(appKey, deviceId, member)},
                    member.getBytes(StandardCharsets.US_ASCII), LATE_MARKER_TTL_MS);
            counted.thenAccept(n -> countAcked(n, appKey, deviceId, id));
            return counted;
        }

        @Override
        public String kind() {
            return "ack";
        }
    }
}
