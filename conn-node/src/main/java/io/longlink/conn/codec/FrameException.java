package io.longlink.conn.codec;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.ErrorCode;

/** A device frame the node refuses, with the code and reason the ERROR frame carries. No stack trace: it is routine. */
public final class FrameException extends Exception {
    private final ErrorCode code;

    public FrameException(ErrorCode code, String reason) {
        super(reason, null, false, false);
        this.code = requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
