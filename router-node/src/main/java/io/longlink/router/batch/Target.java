package io.longlink.router.batch;

import io.longlink.common.redis.Route;
import io.longlink.proto.internal.Outcome;

/** One (message, device) pair of a batch. */
final class Target {
    final Message message;
    final String deviceId;
    Route route;
    /** A newer message with the same collapse key is stored: do not deliver this one. */
    boolean superseded;
    /** An awaitAck copy that was not acknowledged in time: its conn-node's outcome (null when none came). */
    Outcome outcome;
    /** Label of the first attempt's outcome, for an awaitAck copy that did not reach the device. */
    String missed;

    Target(Message message, String deviceId) {
        this.message = message;
        this.deviceId = deviceId;
    }
}
