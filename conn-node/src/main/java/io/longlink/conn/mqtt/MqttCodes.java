package io.longlink.conn.mqtt;

import io.longlink.proto.device.ErrorCode;

/**
 * Longlink's error codes in MQTT: the CONNACK return code of 3.1.1, the CONNACK and DISCONNECT reason
 * codes of 5. The table is docs/protocol.md, section "MQTT"; change both together.
 */
final class MqttCodes {
    /** 3.1.1 has no CONNACK code for it: the socket is closed without a CONNACK. */
    static final int CLOSE = -1;

    static final int V311_UNACCEPTABLE_VERSION = 0x01;
    static final int V311_BAD_USER_NAME_OR_PASSWORD = 0x04;
    static final int V311_NOT_AUTHORIZED = 0x05;
    static final int V311_SUBSCRIBE_FAILURE = 0x80;

    static final int SUCCESS = 0x00;
    static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    static final int PROTOCOL_ERROR = 0x82;
    static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
    static final int NOT_AUTHORIZED = 0x87;
    static final int SERVER_UNAVAILABLE = 0x88;
    static final int SERVER_SHUTTING_DOWN = 0x8B;
    static final int BAD_AUTHENTICATION_METHOD = 0x8C;
    static final int TOPIC_FILTER_INVALID = 0x8F;
    static final int SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E;
    static final int USE_ANOTHER_SERVER = 0x9C;
    static final int WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED = 0xA2;

    private MqttCodes() {
    }

    /** The 3.1.1 CONNACK return code of a refused CONNECT, or {@link #CLOSE}. */
    static int connAck311(ErrorCode code) {
        return switch (code) {
            case UNSUPPORTED_VERSION -> V311_UNACCEPTABLE_VERSION;
            case INVALID_ARGUMENT -> 0x02; // identifier rejected
            case BAD_TOKEN, TOKEN_EXPIRED -> V311_BAD_USER_NAME_OR_PASSWORD;
            case UNKNOWN_APP -> V311_NOT_AUTHORIZED;
            case NODE_FULL, RATE_LIMITED, SERVER_DRAINING, INTERNAL -> 0x03; // server unavailable
            default -> CLOSE;
        };
    }

    /** The MQTT 5 CONNACK reason code of a refused CONNECT; {@code redirected}: a REDIRECT named other servers. */
    static int connAck5(ErrorCode code, boolean redirected) {
        return switch (code) {
            case UNSUPPORTED_VERSION -> 0x84;
            case MALFORMED_FRAME -> 0x81;
            case FRAME_TOO_LARGE -> 0x95;
            case UNKNOWN_APP -> NOT_AUTHORIZED;
            case BAD_TOKEN, TOKEN_EXPIRED -> BAD_USER_NAME_OR_PASSWORD;
            case INVALID_ARGUMENT -> 0x85; // client identifier not valid
            case ALREADY_CONNECTED, NOT_CONNECTED -> PROTOCOL_ERROR;
            case NODE_FULL -> redirected ? USE_ANOTHER_SERVER : 0x89; // server busy
            case RATE_LIMITED -> 0x9F; // connection rate exceeded
            case SERVER_DRAINING -> redirected ? USE_ANOTHER_SERVER : SERVER_UNAVAILABLE;
            case INTERNAL -> SERVER_UNAVAILABLE;
            default -> 0x80; // unspecified error
        };
    }

    /** The MQTT 5 DISCONNECT reason code of a close after CONNACK; {@code redirected} as for {@link #connAck5}. */
    static int disconnect5(ErrorCode code, boolean redirected) {
        return switch (code) {
            case MALFORMED_FRAME -> 0x81;
            case FRAME_TOO_LARGE -> 0x95;
            case ALREADY_CONNECTED, NOT_CONNECTED -> PROTOCOL_ERROR;
            case BAD_TOKEN, TOKEN_EXPIRED, UNKNOWN_APP -> NOT_AUTHORIZED;
            case IDLE_TIMEOUT -> 0x8D; // keep alive timeout
            case SLOW_READER -> 0x97; // quota exceeded
            case RATE_LIMITED -> 0x96; // message rate too high
            case SERVER_DRAINING -> redirected ? USE_ANOTHER_SERVER : SERVER_SHUTTING_DOWN;
            case KICKED -> 0x8E; // session taken over
            case NODE_FULL -> 0x89; // server busy
            default -> 0x80; // unspecified error: INTERNAL
        };
    }
}
