package io.longlink.sdk.reconnect;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.ErrorCode;

/** What a device does when the server refuses or ends its session with an error code. */
public enum Reaction {
    /** Transient: reconnect with backoff. */
    RETRY,
    /** The token was refused: ask the app for a new one once, then give up. */
    REFRESH_TOKEN,
    /** Retrying cannot help (configuration or version problem): stop until the app restarts the client. */
    STOP;

    public static Reaction to(ErrorCode code) {
        requireNonNull(code, "code");
        return switch (code) {
            case BAD_TOKEN, TOKEN_EXPIRED -> REFRESH_TOKEN;
            case UNKNOWN_APP, UNSUPPORTED_VERSION, INVALID_ARGUMENT -> STOP;
            // KICKED is decided by the client's reconnect-on-kick option, not here.
            case KICKED -> STOP;
            // Server-side trouble, our own mistakes that a fresh connection clears, and codes newer than
            // this SDK: all worth a retry with backoff.
            case OK, MALFORMED_FRAME, FRAME_TOO_LARGE, NOT_CONNECTED, CONNECT_TIMEOUT, ALREADY_CONNECTED,
                 IDLE_TIMEOUT, SLOW_READER, RATE_LIMITED, SERVER_DRAINING, INTERNAL, NODE_FULL, UNRECOGNIZED -> RETRY;
        };
    }
}
