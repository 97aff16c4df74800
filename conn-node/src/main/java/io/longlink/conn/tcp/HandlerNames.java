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

    // web listener
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String WEB_REQUESTS = "web-requests";
    public static final String WS_AGGREGATOR = "ws-aggregator";
    public static final String WS_ADAPTER = "ws-adapter";
    public static final String HTTP_IDLE = "http-idle";
    public static final String HTTP_CORS = "http-cors";
    public static final String HTTP_SESSION_REQUESTS = "http-session-requests";
    public static final String HTTP_SESSION_ADAPTER = "http-session-adapter";

    private HandlerNames() {
    }
}
