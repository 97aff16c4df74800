package io.longlink.router.batch;

import io.longlink.common.redis.Route;

/** One (message, device) pair of a batch. */
final class Target {
    final Message message;
    final String deviceId;
    Route route;
    /** A newer message with the same collapse key is stored: do not deliver this one. */
    boolean superseded;

    Target(Message message, String deviceId) {
        this.message = message;
        this.deviceId = deviceId;
    }
}
