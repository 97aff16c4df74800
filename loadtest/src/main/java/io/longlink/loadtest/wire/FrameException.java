package io.longlink.loadtest.wire;

import io.longlink.proto.device.ErrorCode;
import io.netty.handler.codec.DecoderException;

/** A frame that breaks the wire format; carries the protocol error code that names the fault. */
public final class FrameException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public FrameException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
