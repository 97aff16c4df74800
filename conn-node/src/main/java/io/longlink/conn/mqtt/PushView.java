package io.longlink.conn.mqtt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import io.longlink.proto.device.Notification;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * What a PUBLISH needs from an encoded PUSH body, read in place with absolute indexes: a fan-out
 * shares one frame among many channels, so nothing here moves its reader index or copies the payload
 * ({@link #payloadIndex} points into the frame).
 */
record PushView(long messageId, int payloadIndex, int payloadLength, Notification notification, String collapseKey,
                long expiresAtMs, long sentAtMs) {
    private static final int MESSAGE_ID = 1 << 3 | 1; // field 1, fixed64
    private static final int PAYLOAD = 2 << 3 | 2; // field 2, length-delimited
    private static final int NOTIFICATION = 3 << 3 | 2;
    private static final int COLLAPSE_KEY = 4 << 3 | 2;
    private static final int EXPIRES_AT_MS = 5 << 3; // varint
    private static final int SENT_AT_MS = 6 << 3;

    /** Reads the {@code Push} body at {@code [index, index + length)} of {@code frame}. */
    static PushView read(ByteBuf frame, int index, int length) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(frame.nioBuffer(index, length));
        long id = 0;
        int payloadIndex = index;
        int payloadLength = 0;
        Notification notification = null;
        String collapseKey = "";
        long expiresAt = 0;
        long sentAt = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case MESSAGE_ID -> id = in.readFixed64();
                case PAYLOAD -> {
                    payloadLength = in.readRawVarint32();
                    payloadIndex = index + in.getTotalBytesRead();
                    in.skipRawBytes(payloadLength);
                }
                case NOTIFICATION -> notification = in.readMessage(Notification.parser(),
                        ExtensionRegistryLite.getEmptyRegistry());
                case COLLAPSE_KEY -> collapseKey = in.readStringRequireUtf8();
                case EXPIRES_AT_MS -> expiresAt = in.readInt64();
                case SENT_AT_MS -> sentAt = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        return new PushView(id, payloadIndex, payloadLength, notification, collapseKey, expiresAt, sentAt);
    }
}
