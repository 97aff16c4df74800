package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.ErrorCode;
import io.longlink.sdk.reconnect.HostPort;
import java.util.List;

/** How a connection ended and what the client does next. */
record Ending(DisconnectCode code, ErrorCode serverCode, String reason, Next next, long retryAfterMillis,
              List<HostPort> redirect) {
    enum Next {
        /** Reconnect after a backoff delay. */
        RETRY,
        /** Ask the token supplier for a fresh token and reconnect at once. */
        REFRESH_TOKEN,
        /** Reconnect to the redirect addresses after retryAfterMillis plus jitter. */
        REDIRECT,
        /** Do not reconnect. */
        STOP
    }

    Ending {
        requireNonNull(code, "code");
        requireNonNull(serverCode, "serverCode");
        requireNonNull(reason, "reason");
        requireNonNull(next, "next");
        redirect = List.copyOf(redirect);
    }

    static Ending of(DisconnectCode code, ErrorCode serverCode, String reason, Next next) {
        return new Ending(code, serverCode, reason, next, 0, List.of());
    }

    static Ending retry(DisconnectCode code, String reason) {
        return of(code, ErrorCode.OK, reason, Next.RETRY);
    }

    static Ending closed() {
        return of(DisconnectCode.CLOSED, ErrorCode.OK, "closed by the app", Next.STOP);
    }

    /** This ending, with the time the server asked the client to wait before it comes back. */
    Ending withRetryAfter(long millis) {
        return new Ending(code, serverCode, reason, next, millis, redirect);
    }

    static Ending redirect(List<HostPort> addresses, long retryAfterMillis, String reason) {
        return new Ending(DisconnectCode.REDIRECTED, ErrorCode.OK, reason, Next.REDIRECT, retryAfterMillis, addresses);
    }
}
