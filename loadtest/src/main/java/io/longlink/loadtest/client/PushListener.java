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
}
