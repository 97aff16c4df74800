package io.longlink.router.batch;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One push command of a round, with the devices it names (after alias expansion). Immutable. */
final class Message {
    /** Position in its round: where the round's per-message results keep this message's. */
    final int index;
    final PushCommand command;
    final long id;
    final String appKey;
    final long ttlMs;
    final byte[] member;
    final byte[] collapseKey;
    /** Devices addressed (device list or expanded aliases); empty for tags and broadcast. */
    final List<String> devices;
    /**
     * A TTL &gt; 0 unicast without collapse key, routed with router.ack-wait-ms &gt; 0: delivered
     * before any inbox write; only copies the device does not acknowledge in time are stored.
     */
    final boolean awaitAck;

    Message(int index, PushCommand command, List<String> devices, boolean ackWait) {
        this.index = index;
        this.command = command;
        this.id = command.getPush().getMessageId();
        this.appKey = command.getAppKey();
        this.ttlMs = command.getTtlSeconds() * 1000L;
        this.member = RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII);
        this.collapseKey = command.getPush().getCollapseKey().getBytes(StandardCharsets.UTF_8);
        this.devices = devices;
        this.awaitAck = ackWait && stores() && !isFanOut() && collapseKey.length == 0;
    }

    boolean isFanOut() {
        return command.hasTags() || command.getBroadcast();
    }

    boolean stores() {
        return ttlMs > 0;
    }

    /** A tag or broadcast message with a TTL: it gets a broadcast-log entry. */
    boolean logged() {
        return stores() && isFanOut();
    }

    /**
     * Its body is stored and its copies go to their inboxes with the admission, before delivery. An
     * awaited message's body is stored only by {@link MissStore}, for a copy that was not acknowledged
     * in time: a copy acknowledged within the wait needs no body in Redis at all.
     */
    boolean storedBeforeDelivery() {
        return stores() && !awaitAck;
    }

    /** Work estimate used to bound a round: devices or aliases named, 1 for a fan-out. */
    static int weight(PushCommand command) {
        return switch (command.getAudienceCase()) {
            case DEVICES -> command.getDevices().getIdsCount();
            case ALIASES -> command.getAliases().getNamesCount();
            default -> 1;
        };
    }
}
