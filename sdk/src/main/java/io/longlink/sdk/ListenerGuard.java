package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Calls the app's listener so that an exception in app code never reaches the client's threads. */
final class ListenerGuard {
    private static final Logger LOG = Logger.getLogger(LonglinkClient.class.getName());

    private final Listener listener;

    ListenerGuard(Listener listener) {
        this.listener = requireNonNull(listener, "listener");
    }

    void onConnected(SessionInfo session) {
        try {
            listener.onConnected(session);
        } catch (RuntimeException e) {
            failed("onConnected", e);
        }
    }

    void onMessage(PushMessage message) {
        try {
            listener.onMessage(message);
        } catch (RuntimeException e) {
            // Only the id: payloads may hold personal data.
            failed("onMessage(id=" + message.idString() + ")", e);
        }
    }

    void onKicked(String reason) {
        try {
            listener.onKicked(reason);
        } catch (RuntimeException e) {
            failed("onKicked", e);
        }
    }

    void onRedirect(List<String> addresses, long retryAfterMillis, String reason) {
        try {
            listener.onRedirect(addresses, retryAfterMillis, reason);
        } catch (RuntimeException e) {
            failed("onRedirect", e);
        }
    }

    void onDisconnected(Disconnect disconnect) {
        try {
            listener.onDisconnected(disconnect);
        } catch (RuntimeException e) {
            failed("onDisconnected", e);
        }
    }

    void onError(Throwable error) {
        try {
            listener.onError(error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Listener.onError threw", e);
        }
    }

    private void failed(String callback, RuntimeException e) {
        LOG.log(Level.WARNING, "Listener." + callback + " threw; the client carries on", e);
        onError(e);
    }
}
