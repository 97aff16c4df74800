package io.longlink.router.batch;

/**
 * A message a size bound removed before delivery: from a device's inbox ({@code router.inbox-max}),
 * or, with an empty {@code deviceId}, from its app's broadcast log ({@code router.broadcast-log-max}).
 */
record Dropped(String appKey, String deviceId, long messageId) {
    boolean fromLog() {
        return deviceId.isEmpty();
    }
}
