package io.longlink.conn.mqtt;

/** The topics Longlink defines for MQTT devices (docs/protocol.md, section "MQTT"). */
final class MqttTopics {
    private MqttTopics() {
    }

    /**
     * Where a device's pushes are published: {@code longlink/{appKey}/{deviceId}/push}. App keys and
     * device ids hold no '/', '+' or '#', so the topic names one device.
     */
    static String push(String appKey, String deviceId) {
        return "longlink/" + appKey + "/" + deviceId + "/push";
    }

    static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    static boolean isShared(String filter) {
        return filter.startsWith("$share/");
    }
}
