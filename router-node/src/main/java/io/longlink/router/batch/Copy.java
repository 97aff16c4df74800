package io.longlink.router.batch;

import io.longlink.common.redis.Route;

/**
 * One admitted (message, device) pair to deliver.
 *
 * @param route where the device was connected when read, or null when it had no route
 */
record Copy(Message message, String deviceId, Route route) {
    Copy withRoute(Route current) {
        return new Copy(message, deviceId, current);
    }
}
