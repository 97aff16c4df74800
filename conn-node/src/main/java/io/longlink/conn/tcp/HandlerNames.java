package io.longlink.conn.tcp;

/** Names of the device pipeline's handlers, shared by every listener type. */
public final class HandlerNames {
    public static final String TLS = "tls";
    public static final String FRAME_DECODER = "frame-decoder";
    public static final String MQTT_DECODER = "mqtt-decoder";
    public static final String MQTT_ENCODER = "mqtt-encoder";
    public static final String MQTT_ADAPTER = "mqtt-adapter";
    public static final String SESSION = "session";
    public static final String EXCEPTIONS = "exceptions";

    private HandlerNames() {
    }
}
