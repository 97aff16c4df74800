package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.ErrorCode;

/**
 * The end of a connection or of a connection attempt, as told to {@link Listener#onDisconnected}.
 *
 * @param code             why it ended
 * @param serverCode       the server's error code when the server gave one, else {@link ErrorCode#OK}
 * @param reason           a human-readable explanation
 * @param willRetry        whether the client reconnects by itself
 * @param retryDelayMillis when {@code willRetry}, the wait before the next attempt; else -1
 */
public record Disconnect(DisconnectCode code, ErrorCode serverCode, String reason, boolean willRetry,
                         long retryDelayMillis) {
    public Disconnect {
        requireNonNull(code, "code");
        requireNonNull(serverCode, "serverCode");
        requireNonNull(reason, "reason");
    }
}
