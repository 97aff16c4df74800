package io.longlink.conn.receipt;

/** Where ACKED receipts go. Never blocks the caller; a receipt that cannot be taken is counted as dropped. */
public interface ReceiptSink extends AutoCloseable {
    /** Receipts disabled (conn.receipts.enabled=false): no Kafka client at all. */
    ReceiptSink NONE = new ReceiptSink() {
        @Override
        public void acked(String appKey, String deviceId, long messageId) {
        }

        @Override
        public void close() {
        }
    };

    void acked(String appKey, String deviceId, long messageId);

    @Override
    void close();
}
