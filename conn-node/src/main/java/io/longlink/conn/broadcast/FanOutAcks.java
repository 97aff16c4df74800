package io.longlink.conn.broadcast;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.receipt.ReceiptSink;
import io.longlink.conn.store.BatchOp;
import io.longlink.conn.store.StatIncrement;
import io.longlink.proto.receipt.ReceiptKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * ACKs of tag and broadcast copies. Such a copy has no inbox entry to remove, so its ACK only
 * counts: {@code acked} on the message, added up per message on this node and written by
 * {@link #flush} (once a second) as one HINCRBY, so a broadcast to a million devices costs a write a
 * second rather than a million; and an ACKED receipt per device only with
 * conn.receipts.fanout-acked. A device that got a copy twice (live, then replayed) and ACKs both
 * counts twice. Any thread.
 */
public final class FanOutAcks {
    private final ConcurrentHashMap<Long, LongAdder> counted = new ConcurrentHashMap<>();
    private final Predicate<BatchOp> batcher;
    private final ReceiptSink receipts;
    private final boolean receiptEach;
    private final ConnMetrics metrics;

    /**
     * @param batcher     where the counts go ({@link io.longlink.conn.store.RedisBatcher#offer})
     * @param receiptEach conn.receipts.fanout-acked: an ACKED receipt per device
     */
    public FanOutAcks(Predicate<BatchOp> batcher, ReceiptSink receipts, boolean receiptEach, ConnMetrics metrics) {
        this.batcher = requireNonNull(batcher, "batcher");
        this.receipts = requireNonNull(receipts, "receipts");
        this.receiptEach = receiptEach;
        this.metrics = requireNonNull(metrics, "metrics");
    }

    void acked(String appKey, String deviceId, long id) {
        metrics.fanOutAcks.inc();
        counted.computeIfAbsent(id, k -> new LongAdder()).increment();
        if (receiptEach) {
            receipts.receipt(ReceiptKind.ACKED, appKey, deviceId, id);
        }
    }

    /** Queues one HINCRBY per message ACKed since the last flush; a message idle for a flush is forgotten. */
    public void flush() {
        for (Map.Entry<Long, LongAdder> e : counted.entrySet()) {
            LongAdder n = e.getValue();
            long acked = n.sumThenReset();
            if (acked == 0) {
                counted.remove(e.getKey(), n);
                acked = n.sumThenReset(); // an ACK that came between the two
            }
            if (acked > 0) {
                batcher.test(new StatIncrement(e.getKey(), RedisKeys.STAT_ACKED, acked));
            }
        }
    }
}
