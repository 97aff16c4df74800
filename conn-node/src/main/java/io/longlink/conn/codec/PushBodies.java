package io.longlink.conn.codec;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.longlink.proto.device.Push;
import java.io.IOException;

/**
 * Reads what the node needs from a stored {@code Push} body (ll:msg) without parsing all of it: the
 * body is written to the device as it is, so copying its payload into a message object on every
 * CONNECT would be waste.
 */
public final class PushBodies {
    /** Field number shifted past the 3 wire-type bits, as protobuf encodes a tag. */
    private static final int EXPIRES_AT_TAG = Push.EXPIRES_AT_MS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_VARINT;

    private PushBodies() {
    }

    /**
     * @return {@code expires_at_ms} (0 = no expiry)
     * @throws InvalidProtocolBufferException when the body is not a well-formed protobuf message
     */
    public static long expiresAtMs(byte[] body) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        long expiresAt = 0;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == EXPIRES_AT_TAG) {
                    expiresAt = in.readInt64(); // the last occurrence wins, as in a full parse
                } else if (!in.skipField(tag)) {
                    throw new InvalidProtocolBufferException("end-group tag outside a group");
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return expiresAt;
    }
}
