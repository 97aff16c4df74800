package io.longlink.router.batch;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One push command while a batch handles it; touched only by the consumer thread. */
final class Message {
    final PushCommand command;
    final long id;
    final String appKey;
    final long ttlMs;
    final byte[] member;
    final byte[] collapseKey;
    /** Devices addressed (device list or expanded aliases); empty for tags and broadcast. */
    List<String> devices = List.of();
    boolean accepted;
    /** No earlier routing stored its body (or it has none: TTL 0); false on a retry after a crash. */
    boolean firstRouting;
    /**
     * A TTL &gt; 0 unicast without collapse key, routed with router.ack-wait-ms &gt; 0: delivered
     * before any inbox write; only copies the device does not acknowledge in time are stored.
     */
    boolean awaitAck;
    /**
     * Some copy went to an inbox in this routing: its device's conn-node may count a late ACK of it,
     * and (for an awaitAck message) its body was extended to the whole TTL.
     */
    boolean inboxWritten;
    long online;
    long stored;
    long acked;
    long matched;

    Message(PushCommand command) {
        this.command = command;
        this.id = command.getPush().getMessageId();
        this.appKey = command.getAppKey();
        this.ttlMs = command.getTtlSeconds() * 1000L;
        this.member = RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII);
        this.collapseKey = command.getPush().getCollapseKey().getBytes(StandardCharsets.UTF_8);
    }

    boolean isFanOut() {
        return command.hasTags() || command.getBroadcast();
    }

    boolean stores() {
        return ttlMs > 0;
    }

    /** Work estimate used to bound a round: devices or aliases named, 1 for a fan-out. */
    int weight() {
        return switch (command.getAudienceCase()) {
            case DEVICES -> command.getDevices().getIdsCount();
            case ALIASES -> command.getAliases().getNamesCount();
            default -> 1;
        };
    }
}
