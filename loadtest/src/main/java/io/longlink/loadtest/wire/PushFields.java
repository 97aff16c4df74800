package io.longlink.loadtest.wire;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;

/**
 * The fields of a PUSH body a simulated device needs: message id, {@code sent_at_ms} and the first
 * payload byte. Read straight from the wire format without building a {@code Push} (the payload and
 * notification are skipped, not copied): the device simulator runs on the cores it measures.
 */
public record PushFields(long messageId, long sentAtMs, int firstPayloadByte) {
    private static final int MESSAGE_ID = 1;
    private static final int PAYLOAD = 2;
    private static final int SENT_AT_MS = 6;
    private static final int MESSAGE_ID_TAG = MESSAGE_ID << 3 | WireFormat.WIRETYPE_FIXED64;

    /**
     * The message id of the {@code Push} in {@code buf} at {@code index}, {@code length} bytes, read in
     * place: the id is field 1, which an encoder writes first (one tag byte, eight bytes little-endian);
     * any other layout is parsed in full.
     */
    public static long messageId(ByteBuf buf, int index, int length) throws InvalidProtocolBufferException {
        if (length >= 9 && buf.getUnsignedByte(index) == MESSAGE_ID_TAG) {
            long id = buf.getLongLE(index + 1);
            if (id != 0) {
                return id;
            }
        }
        return parse(ByteBufUtil.getBytes(buf, index, length)).messageId();
    }

    public static PushFields parse(byte[] body) throws InvalidProtocolBufferException {
        requireNonNull(body, "body");
        CodedInputStream in = CodedInputStream.newInstance(body);
        long id = 0;
        long sentAt = 0;
        int first = -1;
        try {
            int tag;
            while ((tag = in.readTag()) != 0) {
                int field = WireFormat.getTagFieldNumber(tag);
                int type = WireFormat.getTagWireType(tag);
                if (field == MESSAGE_ID && type == WireFormat.WIRETYPE_FIXED64) {
                    id = in.readFixed64();
                } else if (field == SENT_AT_MS && type == WireFormat.WIRETYPE_VARINT) {
                    sentAt = in.readInt64();
                } else if (field == PAYLOAD && type == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int length = in.readRawVarint32();
                    if (length < 0) {
                        throw new InvalidProtocolBufferException("payload: negative length " + length);
                    }
                    first = length == 0 ? -1 : in.readRawByte() & 0xFF;
                    in.skipRawBytes(Math.max(0, length - 1));
                } else if (!in.skipField(tag)) {
                    break;
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        if (id == 0) {
            throw new InvalidProtocolBufferException("push: no message_id");
        }
        return new PushFields(id, sentAt, first);
    }
}
