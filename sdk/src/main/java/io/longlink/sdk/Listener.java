package io.longlink.sdk;

import java.util.List;

/**
 * Callbacks from a {@link LonglinkClient}. All run on the client's I/O thread, one at a time and in
 * order. Keep them short: while a callback runs nothing is read, and one that outlasts the PONG
 * timeout gets the connection dropped as dead. Every method has a no-op default.
 * An exception thrown by a callback is logged and passed to {@link #onError}; it never stops the client.
 */
public interface Listener {
    /** The server accepted the session. */
    default void onConnected(SessionInfo session) {
    }

    /**
     * A message the app has not seen before. The client acknowledges it once this returns (or throws),
     * so persist anything that must survive a crash before returning.
     */
    default void onMessage(PushMessage message) {
    }

    /** Another login of this device took over; the client stops unless reconnect-on-kick is on. */
    default void onKicked(String reason) {
    }

    /** The server asked the device to reconnect to {@code addresses} (empty: the server list). */
    default void onRedirect(List<String> addresses, long retryAfterMillis, String reason) {
    }

    /** A connection or connection attempt ended. */
    default void onDisconnected(Disconnect disconnect) {
    }

    /** Something went wrong that did not end the connection (a bad PUSH, a callback that threw). */
    default void onError(Throwable error) {
    }
}
