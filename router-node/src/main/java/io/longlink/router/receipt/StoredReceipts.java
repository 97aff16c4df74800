package io.longlink.router.receipt;

/** Where a router reports a copy kept in its device's inbox; {@link ReceiptWriter} writes it to Kafka. */
public interface StoredReceipts {
    /** STORED receipts are off. */
    StoredReceipts NONE = (appKey, deviceId, messageId, atMs) -> { };

    void stored(String appKey, String deviceId, long messageId, long atMs);
}
