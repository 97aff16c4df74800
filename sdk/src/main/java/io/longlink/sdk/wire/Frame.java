package io.longlink.sdk.wire;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.longlink.proto.device.FrameType;

/**
 * One decoded frame: its type and its parsed body. PING and PONG carry {@link Empty} so the body is
 * never null.
 */
public record Frame(FrameType type, Message body) {
    public Frame {
        requireNonNull(type, "type");
        requireNonNull(body, "body");
    }

    /** The body as the message class of this frame type; a mismatch is a programming error. */
    public <T extends Message> T body(Class<T> expected) {
        if (!expected.isInstance(body)) {
            throw new IllegalStateException(type + " frame carries " + body.getClass().getSimpleName()
                    + ", not " + expected.getSimpleName());
        }
        return expected.cast(body);
    }
}
