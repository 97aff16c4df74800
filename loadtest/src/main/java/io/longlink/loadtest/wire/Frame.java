package io.longlink.loadtest.wire;

import static java.util.Objects.requireNonNull;

/**
 * One decoded device frame: the frame type byte and the protobuf body, still serialized. The
 * generator only parses the few bodies it needs (CONNACK, ERROR), so most frames stay bytes.
 */
public record Frame(int type, byte[] body) {
    static final byte[] EMPTY = new byte[0];

    public Frame {
        requireNonNull(body, "body");
        if (type < 0 || type > 0xFF) {
            throw new IllegalArgumentException("type: " + type + " (expected: 0..255)");
        }
    }
}
