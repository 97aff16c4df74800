package io.longlink.sdk.testing;

import io.longlink.sdk.Disconnect;
import io.longlink.sdk.Listener;
import io.longlink.sdk.PushMessage;
import io.longlink.sdk.SessionInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every callback, in order, for assertions. */
public final class RecordingListener implements Listener {
    public final List<SessionInfo> connected = new CopyOnWriteArrayList<>();
    public final List<PushMessage> messages = new CopyOnWriteArrayList<>();
    public final List<String> kicks = new CopyOnWriteArrayList<>();
    public final List<List<String>> redirects = new CopyOnWriteArrayList<>();
    public final List<Disconnect> disconnects = new CopyOnWriteArrayList<>();
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onConnected(SessionInfo session) {
        connected.add(session);
    }

    @Override
    public void onMessage(PushMessage message) {
        messages.add(message);
    }

    @Override
    public void onKicked(String reason) {
        kicks.add(reason);
    }

    @Override
    public void onRedirect(List<String> addresses, long retryAfterMillis, String reason) {
        redirects.add(addresses);
    }

    @Override
    public void onDisconnected(Disconnect disconnect) {
        disconnects.add(disconnect);
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
    }

    public List<Long> messageIds() {
        return messages.stream().map(PushMessage::id).toList();
    }
}
