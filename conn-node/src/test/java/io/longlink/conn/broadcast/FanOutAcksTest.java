package io.longlink.conn.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.receipt.ReceiptSink;
import io.longlink.conn.store.BatchOp;
import io.longlink.conn.store.StatIncrement;
import io.longlink.proto.receipt.ReceiptKind;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutAcksTest {
    private final List<BatchOp> batched = new ArrayList<>();
    private final List<String> receipts = new ArrayList<>();
    private final ConnMetrics metrics = new ConnMetrics(new CollectorRegistry(), () -> 0, () -> 0);
    private final ReceiptSink sink = new ReceiptSink() {
        @Override
        public void receipt(ReceiptKind kind, String appKey, String deviceId, long messageId) {
            receipts.add(kind + " " + deviceId + " " + messageId);
        }

        @Override
        public void close() {
        }
    };

    private FanOutAcks acks(boolean receiptEach) {
        return new FanOutAcks(batched::add, sink, receiptEach, metrics);
    }

    @Test
    void flush_whenManyDevicesAckedOneMessage_thenOneIncrementOfTheirCountAndNoReceipts() {
        FanOutAcks acks = acks(false);
        for (int i = 0; i < 5; i++) {
            acks.acked("app", "d" + i, 42);
        }
        acks.acked("app", "d0", 43);
        acks.flush();
        assertThat(batched).containsExactlyInAnyOrder(new StatIncrement(42, RedisKeys.STAT_ACKED, 5),
                new StatIncrement(43, RedisKeys.STAT_ACKED, 1));
        assertThat(receipts).isEmpty();

        batched.clear();
        acks.flush(); // nothing new: nothing written
        acks.acked("app", "d9", 42);
        acks.flush();
        assertThat(batched).containsExactly(new StatIncrement(42, RedisKeys.STAT_ACKED, 1));
    }

    @Test
    void acked_whenReceiptsForFanOutCopiesAreOn_thenAnAckedReceiptPerDevice() {
        FanOutAcks acks = acks(true);
        acks.acked("app", "d1", 42);
        acks.acked("app", "d2", 42);
        assertThat(receipts).containsExactly("ACKED d1 42", "ACKED d2 42");
    }
}
