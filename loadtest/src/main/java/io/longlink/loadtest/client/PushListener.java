package io.longlink.loadtest.client;

/**
 * Told about every PUSH the devices receive. {@link LoadGenerator} asks its factory for one
 * listener per event loop and calls it only on that loop's thread, so an implementation needs no
 * lock.
 */
public interface PushListener {
    /** Ignores every push (the idle-connections scenario expects none). */
    PushListener NONE = (messageId, sentAtMs, firstPayloadByte) -> {
    };

    /**
     * @param messageId        the PUSH's message id
     * @param sentAtMs         when the API accepted the push (server clock, epoch ms)
     * @param firstPayloadByte the payload's first byte (0..255), or -1 when the payload is empty
     */
    void onPush(long messageId, long sentAtMs, int firstPayloadByte);

    /**
     * The same, with the receiving device's index (its position in the connect batch, or the index
     * it was connected with); listeners that count per device override this one.
     */
    default void onPush(int deviceIndex, long messageId, long sentAtMs, int firstPayloadByte) {
        onPush(messageId, sentAtMs, firstPayloadByte);
    }
}
