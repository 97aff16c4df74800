package io.longlink.sdk.wire;

import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;

/** Which protobuf message each frame type carries, in one place for the reader and the writer. */
public final class Frames {
    /** Type byte plus the longest varint32. */
    public static final int MAX_HEADER_SIZE = 6;

    private Frames() {
    }

    /** The type for a wire byte, or null when the byte names no frame type. */
    static FrameType typeOf(int wireByte) {
        FrameType type = FrameType.forNumber(wireByte);
        return type == null || type == FrameType.FRAME_TYPE_UNSPECIFIED ? null : type;
    }

    static boolean hasEmptyBody(FrameType type) {
        return type == FrameType.PING || type == FrameType.PONG;
    }

    /** Parses a body; protobuf copies bytes fields, so the caller may reuse {@code buffer}. */
    static Message parseBody(FrameType type, byte[] buffer, int length) throws InvalidProtocolBufferException {
        return switch (type) {
            case CONNECT -> Connect.parser().parseFrom(buffer, 0, length);
            case CONNACK -> ConnAck.parser().parseFrom(buffer, 0, length);
            case PUSH -> Push.parser().parseFrom(buffer, 0, length);
            case ACK -> Ack.parser().parseFrom(buffer, 0, length);
            case KICK -> Kick.parser().parseFrom(buffer, 0, length);
            case REDIRECT -> Redirect.parser().parseFrom(buffer, 0, length);
            case ERROR -> Error.parser().parseFrom(buffer, 0, length);
            case DISCONNECT -> Disconnect.parser().parseFrom(buffer, 0, length);
            case PING, PONG -> Empty.getDefaultInstance();
            case FRAME_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("no body type for " + type);
        };
    }

    /** Whether {@code body} is the message class that {@code type} carries. */
    static boolean matches(FrameType type, Message body) {
        return switch (type) {
            case CONNECT -> body instanceof Connect;
            case CONNACK -> body instanceof ConnAck;
            case PUSH -> body instanceof Push;
            case ACK -> body instanceof Ack;
            case KICK -> body instanceof Kick;
            case REDIRECT -> body instanceof Redirect;
            case ERROR -> body instanceof Error;
            case DISCONNECT -> body instanceof Disconnect;
            case PING, PONG -> body.getSerializedSize() == 0;
            case FRAME_TYPE_UNSPECIFIED, UNRECOGNIZED -> false;
        };
    }
}
