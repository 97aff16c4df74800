package io.longlink.sdk;

import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Redirect;
import io.longlink.sdk.wire.Frame;
import java.io.IOException;

/**
 * What a server sends after it refused a device for being full or too fast, before it closes:
 * CONNACK(NODE_FULL) or nothing, then REDIRECT with no address and the time to come back after,
 * then ERROR with the code. Read with a short timeout: a server that sends less costs the client
 * no more than that.
 *
 * @param retryAfterMillis the REDIRECT's {@code retry_after_ms}, or 0 without one
 * @param code             the ERROR's code, or null without one
 * @param reason           the ERROR's reason, or ""
 */
record RefusalTail(long retryAfterMillis, ErrorCode code, String reason) {
    /** Frames read at most: a REDIRECT and an ERROR, and room for one more. */
    private static final int MAX_FRAMES = 3;

    /** The codes a server follows with a REDIRECT saying when to come back. */
    static boolean hinted(ErrorCode code) {
        return code == ErrorCode.NODE_FULL || code == ErrorCode.RATE_LIMITED;
    }

    /**
     * Reads until an ERROR, the server's close, a timeout of {@code timeoutMillis} or a few frames,
     * whichever comes first; starts from {@code retryAfterMillis} (a REDIRECT already read, or 0).
     */
    static RefusalTail read(Connection conn, int timeoutMillis, long retryAfterMillis, long maxRetryAfterMillis) {
        long after = retryAfterMillis;
        try {
            conn.setReadTimeout(timeoutMillis);
            for (int i = 0; i < MAX_FRAMES; i++) {
                Frame frame = conn.reader().read();
                if (frame == null) {
                    break;
                }
                if (frame.type() == FrameType.REDIRECT) {
                    after = Math.min(Integer.toUnsignedLong(frame.body(Redirect.class).getRetryAfterMs()),
                            maxRetryAfterMillis);
                } else if (frame.type() == FrameType.ERROR) {
                    Error error = frame.body(Error.class);
                    return new RefusalTail(after, error.getCode(), error.getReason());
                }
            }
        } catch (IOException | RuntimeException e) {
            // a timeout, a reset or a bad frame: the refusal stands without more
        }
        return new RefusalTail(after, null, "");
    }
}
