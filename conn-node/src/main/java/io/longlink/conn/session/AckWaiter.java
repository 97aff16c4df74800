package io.longlink.conn.session;

/**
 * A DeliveryBatch whose answer waits for its devices' ACKs (the router has not written those copies
 * to the inboxes). A session registers each awaited copy on its event loop; {@link #acked} then comes
 * from that loop, while the batch's timer may end the wait at any moment on another thread.
 */
public interface AckWaiter {
    /** Copy {@code index} of the batch was written live and is now awaited. */
    void awaiting(int index);

    /**
     * The device acknowledged copy {@code index}. True when in time: the batch answers ACKED and the
     * copy never reached the inbox. False when the batch had answered already: the router has written
     * (or is writing) the inbox entry, so the ACK removes it as any other ACK does.
     */
    boolean acked(int index);

    /** True once the batch answered; a copy still registered then was not acknowledged in time. */
    boolean answered();
}
