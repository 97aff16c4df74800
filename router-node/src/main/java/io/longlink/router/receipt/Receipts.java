package io.longlink.router.receipt;

/** Where a router reports what became of a copy; {@link ReceiptWriter} writes it to Kafka. */
public interface Receipts {
    /** No receipts at all. */
    Receipts NONE = new Receipts() {
        @Override
        public void stored(String appKey, String deviceId, long messageId, long atMs) {
        }

        @Override
        public void dropped(String appKey, String deviceId, long messageId, long atMs) {
        }
    };

    /** STORED: the copy was kept in its device's inbox instead of reaching the device live. */
    void stored(String appKey, String deviceId, long messageId, long atMs);

    /**
     * DROPPED: a size bound removed the message before delivery, from {@code deviceId}'s inbox, or
     * with an empty {@code deviceId} from the app's broadcast log.
     */
    void dropped(String appKey, String deviceId, long messageId, long atMs);
}
