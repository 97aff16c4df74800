package io.longlink.conn.web;

import io.netty.buffer.ByteBuf;

/**
 * Where an {@link HttpSessionChannel} hands the device frames the session wrote: an event stream, a
 * waiting poll, or the CONNECT request. Called on the session's event loop.
 */
interface FrameSink {
    /** Takes a copy of {@code frame} (the caller releases it), or returns false to leave it queued. */
    boolean take(ByteBuf frame);

    /** Sends what was taken so far. */
    void flush();

    /** Whether this sink takes no more frames (a poll answered, a CONNECT answered). */
    boolean done();

    /** The sink is no longer used: answer or close what it holds. Idempotent. */
    void end();
}
