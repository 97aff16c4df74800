package io.longlink.api.push;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.command.PushCommand;
import io.longlink.proto.device.Push;

/**
 * A push request that passed every check, as a command template still missing the app, the id
 * and the times.
 *
 * @param template     the command without app key, message id, sent and expiry times
 * @param singleDevice the device of a one-device push (the Kafka key then keeps its order), else null
 * @param requestId    the idempotency key, or "" for none
 */
public record ValidPush(PushCommand template, String singleDevice, String requestId) {
    public ValidPush {
        requireNonNull(template, "template");
        requireNonNull(requestId, "requestId");
    }

    /** The command to publish for {@code appKey} under {@code messageId}, accepted at {@code nowMs}. */
    public PushCommand command(String appKey, long messageId, long nowMs) {
        int ttl = template.getTtlSeconds();
        Push push = template.getPush().toBuilder()
                .setMessageId(messageId)
                .setSentAtMs(nowMs)
                .setExpiresAtMs(ttl == 0 ? 0 : nowMs + ttl * 1000L)
                .build();
        return template.toBuilder().setAppKey(appKey).setPush(push).build();
    }

    /** Kafka record key: {@code appKey:deviceId} for one device (per-device order), the app key otherwise. */
    public String recordKey(String appKey) {
        return singleDevice == null ? appKey : appKey + ":" + singleDevice;
    }

    /** A push to tags or broadcast: one command that every conn-node fans out. */
    public boolean fanOut() {
        return template.hasTags() || template.getBroadcast();
    }

    /** The audience field that names devices or aliases, for a refusal's message. */
    public String namesField() {
        return template.hasAliases() ? "audience.aliases" : "audience.devices";
    }

    /** How many distinct device ids or aliases the push names (0 for tags and broadcast). */
    public int names() {
        return template.getDevices().getIdsCount() + template.getAliases().getNamesCount();
    }
}
