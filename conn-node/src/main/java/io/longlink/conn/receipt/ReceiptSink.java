package io.longlink.conn.receipt;

import io.longlink.proto.receipt.ReceiptKind;

/** Where receipts go. Never blocks the caller; a receipt that cannot be taken is counted as dropped. */
public interface ReceiptSink extends AutoCloseable {
    /** Receipts disabled (conn.receipts.enabled=false): no Kafka client at all. */
    ReceiptSink NONE = new ReceiptSink() {
        @Override
        public void receipt(ReceiptKind kind, String appKey, String deviceId, long messageId) {
        }

        @Override
        public void close() {
        }
    };

    /** What became of message {@code messageId} for one device: ACKED, EXPIRED or REVOKED. */
    void receipt(ReceiptKind kind, String appKey, String deviceId, long messageId);

    @Override
    void close();
}
