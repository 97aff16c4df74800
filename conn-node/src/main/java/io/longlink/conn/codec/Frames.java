package io.longlink.conn.codec;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Encodes server frames: {@code [1 byte type][varint32 body length][protobuf body]}. Each frame is
 * one buffer sized exactly, so a frame is written to a socket with one write and no copy.
 */
public final class Frames {
    /** PONG never changes: one read-only buffer shared by every connection (write {@code PONG.duplicate()}). */
    public static final ByteBuf PONG = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte(FrameType.PONG_VALUE).writeByte(0).asReadOnly());

    private Frames() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc, FrameType type, MessageLite body) {
        int size = body.getSerializedSize();
        ByteBuf buf = alloc.buffer(1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size);
        buf.writeByte(type.getNumber());
        writeVarint32(buf, size);
        int at = buf.writerIndex();
        try {
            ByteBuffer nio = buf.internalNioBuffer(at, size);
            CodedOutputStream out = CodedOutputStream.newInstance(nio);
            body.writeTo(out);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException("protobuf encoding into an exactly sized buffer failed", e);
        }
        buf.writerIndex(at + size);
        return buf;
    }

    /** A frame whose body is already serialized (an inbox message body read from Redis). */
    public static ByteBuf encodeRaw(ByteBufAllocator alloc, FrameType type, byte[] body) {
        ByteBuf buf = alloc.buffer(1 + CodedOutputStream.computeUInt32SizeNoTag(body.length) + body.length);
        buf.writeByte(type.getNumber());
        writeVarint32(buf, body.length);
        buf.writeBytes(body);
        return buf;
    }

    public static ByteBuf error(ByteBufAllocator alloc, ErrorCode code, String reason) {
        return encode(alloc, FrameType.ERROR, Error.newBuilder().setCode(code).setReason(reason).build());
    }

    /** The answer to a CONNECT that failed: the code and reason, before the ERROR frame and the close. */
    public static ByteBuf connAckFailure(ByteBufAllocator alloc, ErrorCode code, String reason, String nodeId) {
        return encode(alloc, FrameType.CONNACK, ConnAck.newBuilder().setCode(code).setReason(reason)
                .setServerTimeMs(System.currentTimeMillis()).setNodeId(nodeId).build());
    }

    /** The body of an encoded frame, read with absolute indexes: the frame's indexes stay as they are. */
    public static ByteBuffer body(ByteBuf frame) {
        int i = frame.readerIndex() + 1;
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = frame.getByte(i++);
            length |= (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
        }
        return frame.nioBuffer(i, length);
    }

    /** An unsigned varint, 7 bits a byte, low first: a frame's body length, and an MQTT remaining length. */
    public static void writeVarint32(ByteBuf buf, int value) {
        while ((value & ~0x7F) != 0) {
            buf.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buf.writeByte(value);
    }
}
