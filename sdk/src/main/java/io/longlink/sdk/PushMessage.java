package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.longlink.proto.device.Push;

/**
 * One message delivered to the app.
 *
 * @param id          64-bit message id, unique per cluster and time-ordered (compare unsigned)
 * @param payload     the app's bytes (immutable)
 * @param title       notification title, "" when the push has no notification
 * @param body        notification body, "" when the push has no notification
 * @param collapseKey a newer message with the same key replaces an older one; "" when none
 * @param expiresAtMs server epoch millis after which the message is void; 0 = no expiry
 * @param sentAtMs    server epoch millis when the API accepted the push
 */
public record PushMessage(long id, ByteString payload, String title, String body, String collapseKey,
                          long expiresAtMs, long sentAtMs) {
    public PushMessage {
        requireNonNull(payload, "payload");
        requireNonNull(title, "title");
        requireNonNull(body, "body");
        requireNonNull(collapseKey, "collapseKey");
    }

    static PushMessage from(Push push) {
        return new PushMessage(push.getMessageId(), push.getPayload(), push.getNotification().getTitle(),
                push.getNotification().getBody(), push.getCollapseKey(), push.getExpiresAtMs(),
                push.getSentAtMs());
    }

    public boolean hasNotification() {
        return !title.isEmpty() || !body.isEmpty();
    }

    /** The payload decoded as UTF-8 (malformed bytes become U+FFFD). */
    public String payloadUtf8() {
        return payload.toStringUtf8();
    }

    /** The id as an unsigned decimal, as the server's API and logs print it. */
    public String idString() {
        return Long.toUnsignedString(id);
    }
}
