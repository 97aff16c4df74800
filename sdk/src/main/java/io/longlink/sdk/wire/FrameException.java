package io.longlink.sdk.wire;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.ErrorCode;
import java.io.IOException;

/** A frame that breaks the wire format; {@link #code()} is the wire error code that names the fault. */
public final class FrameException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public FrameException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code");
    }

    public FrameException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
