package io.longlink.conn.web.json;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.longlink.conn.codec.FrameException;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.Ping;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON form of device frames (docs/protocol.md, "JSON form"): one object per frame,
 * {@code {"type":"<FrameType>", ...}} plus the body's fields in protobuf's proto3 JSON mapping.
 *
 * <p>Device frames (CONNECT, PING, ACK, DISCONNECT) are parsed with protobuf's JsonFormat: they are
 * few per connection. Server frames come from the session layer encoded as binary frames; PUSH, the
 * hot path, is written by hand into one buffer, the rare others with JsonFormat.
 */
public final class JsonFrames {
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace()
            .alwaysPrintFieldsWithNoPresence();
    /**
     * The last PUSH a thread printed, known by its bytes: a fan-out writes one PUSH to every JSON
     * connection of an event loop in a row, so it is parsed and printed once per loop, not per connection.
     */
    private static final FastThreadLocal<PrintedPush> LAST_PUSH = new FastThreadLocal<>() {
        @Override
        protected PrintedPush initialValue() {
            return new PrintedPush();
        }
    };

    private JsonFrames() {
    }

    /**
     * One device frame from its JSON form: {@link Connect}, {@link Ack}, {@link Disconnect} or
     * {@link Ping#INSTANCE}. Unknown fields are ignored; anything else that is not such a frame is
     * MALFORMED_FRAME.
     */
    public static Object decode(String text) throws FrameException {
        Struct.Builder object = Struct.newBuilder();
        try {
            PARSER.merge(text, object);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw malformed("a message must be one JSON object");
        }
        Value typeField = object.getFieldsMap().get("type");
        if (typeField == null || !typeField.hasStringValue()) {
            throw malformed("a message needs a string field \"type\"");
        }
        String type = typeField.getStringValue();
        try {
            // parsed again into the frame's message: the tree above holds numbers as doubles, 64-bit ids need the text
            return switch (type) {
                case "PING" -> Ping.INSTANCE; // fields, if any, are ignored as on the binary form
                case "CONNECT" -> merge(text, Connect.newBuilder()).build();
                case "ACK" -> merge(text, Ack.newBuilder()).build();
                case "DISCONNECT" -> merge(text, Disconnect.newBuilder()).build();
                default -> throw malformed(describeType(type));
            };
        } catch (InvalidProtocolBufferException e) {
            throw malformed(type + " does not parse: " + e.getMessage());
        }
    }

    private static <B extends Message.Builder> B merge(String text, B builder) throws InvalidProtocolBufferException {
        PARSER.merge(text, builder);
        return builder;
    }

    /** The JSON form of one server frame, as {@link io.longlink.conn.codec.Frames} encodes it; the frame is not changed. */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf frame) {
        int type = frame.getUnsignedByte(frame.readerIndex());
        CodedInputStream body = CodedInputStream.newInstance(Frames.body(frame));
        try {
            return switch (type) {
                case FrameType.PUSH_VALUE -> LAST_PUSH.get().print(alloc, frame, body);
                case FrameType.PONG_VALUE -> ByteBufUtil.writeAscii(alloc, "{\"type\":\"PONG\"}");
                case FrameType.CONNACK_VALUE -> printed(alloc, FrameType.CONNACK, ConnAck.parseFrom(body));
                case FrameType.KICK_VALUE -> printed(alloc, FrameType.KICK, Kick.parseFrom(body));
                case FrameType.REDIRECT_VALUE -> printed(alloc, FrameType.REDIRECT, Redirect.parseFrom(body));
                case FrameType.ERROR_VALUE -> printed(alloc, FrameType.ERROR, Error.parseFrom(body));
                default -> throw new IllegalArgumentException("not a server frame type: " + type);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("a server frame of type " + type + " does not parse", e);
        }
    }

    /** A thread's last printed PUSH: the frame's bytes and their JSON form. */
    private static final class PrintedPush {
        private ByteBuf frame = Unpooled.EMPTY_BUFFER;
        private byte[] json;

        ByteBuf print(ByteBufAllocator alloc, ByteBuf f, CodedInputStream body) throws IOException {
            if (json == null || f.readableBytes() != frame.readableBytes()
                    || !ByteBufUtil.equals(f, f.readerIndex(), frame, 0, frame.readableBytes())) {
                json = push(Push.parseFrom(body)).getBytes(StandardCharsets.UTF_8);
                frame = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(f));
            }
            return alloc.buffer(json.length).writeBytes(json);
        }
    }

    /** The JSON form of an ERROR frame, for HTTP bodies. */
    public static String error(ErrorCode code, String reason) {
        return print(FrameType.ERROR, Error.newBuilder().setCode(code).setReason(reason).build());
    }

    static String print(FrameType type, Message body) {
        try {
            String fields = PRINTER.print(body);
            return "{\"type\":\"" + type.name() + "\"" + (fields.length() > 2 ? "," : "") + fields.substring(1);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + type + " as JSON", e);
        }
    }

    private static ByteBuf printed(ByteBufAllocator alloc, FrameType type, Message body) {
        return ByteBufUtil.writeUtf8(alloc, print(type, body));
    }

    /** By hand, on the hot path; fields with default values are left out, as proto3 JSON allows. */
    static String push(Push p) {
        StringBuilder b = new StringBuilder(96 + p.getPayload().size() * 4 / 3);
        b.append("{\"type\":\"PUSH\",\"messageId\":\"").append(Long.toUnsignedString(p.getMessageId())).append('"');
        if (!p.getPayload().isEmpty()) {
            b.append(",\"payload\":\"");
            b.append(java.util.Base64.getEncoder().encodeToString(p.getPayload().toByteArray())).append('"');
        }
        if (p.hasNotification()) {
            b.append(",\"notification\":{");
            boolean title = !p.getNotification().getTitle().isEmpty();
            if (title) {
                string(b.append("\"title\":"), p.getNotification().getTitle());
            }
            if (!p.getNotification().getBody().isEmpty()) {
                string(b.append(title ? ",\"body\":" : "\"body\":"), p.getNotification().getBody());
            }
            b.append('}');
        }
        if (!p.getCollapseKey().isEmpty()) {
            string(b.append(",\"collapseKey\":"), p.getCollapseKey());
        }
        if (p.getExpiresAtMs() != 0) {
            b.append(",\"expiresAtMs\":\"").append(p.getExpiresAtMs()).append('"');
        }
        if (p.getSentAtMs() != 0) {
            b.append(",\"sentAtMs\":\"").append(p.getSentAtMs()).append('"');
        }
        return b.append('}').toString();
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static String describeType(String type) {
        FrameType known;
        try {
            known = FrameType.valueOf(type);
        } catch (IllegalArgumentException e) {
            known = null;
        }
        if (known == null || known == FrameType.FRAME_TYPE_UNSPECIFIED || known == FrameType.UNRECOGNIZED) {
            return "unknown frame type \"" + type + "\"";
        }
        return "frame type " + type + " is sent by the server only";
    }

    private static FrameException malformed(String reason) {
        return new FrameException(ErrorCode.MALFORMED_FRAME, reason);
    }
}
