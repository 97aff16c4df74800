package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.longlink.conn.codec.FrameDecoder;
import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.codec.FrameException;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.codec.Ping;
import io.longlink.conn.web.json.JsonFrames;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Adapts WebSocket messages to device frames and back, one per connection. Inbound: a binary
 * message ({@code longlink.v1}) is one whole device frame, a text message ({@code longlink.v1.json})
 * one frame in its JSON form; a WebSocket ping or pong counts as a PING once the session is up (the
 * ping is answered with a pong here, the session's PONG is dropped); a close becomes DISCONNECT.
 * Outbound: each device frame becomes one message, and ERROR is followed by a close frame with
 * status 4000 + code. Before the upgrade, an ERROR (CONNECT_TIMEOUT, NODE_FULL) becomes an HTTP
 * answer and other frames are dropped. Once a close frame went either way, nothing more is read or
 * written.
 */
final class WebSocketAdapter extends ChannelDuplexHandler {
    static final int CLOSE_CODE_BASE = 4000;
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    private static final byte HTTP = 0;
    private static final byte BINARY = 1;
    private static final byte JSON = 2;

    private final int maxFrameBytes;
    private final FrameErrorSink errors;
    private byte mode = HTTP;
    private boolean connected;
    private boolean closing;
    /** Session PONGs to drop: answers to WebSocket pings or pongs handed to the session as PING. */
    private int pongsOwed;

    WebSocketAdapter(int maxFrameBytes, FrameErrorSink errors) {
        this.maxFrameBytes = maxFrameBytes;
        this.errors = requireNonNull(errors, "errors");
    }

    void upgraded(boolean json) {
        mode = json ? JSON : BINARY;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!closing) {
                read(ctx, frame);
            }
        } catch (FrameException e) {
            errors.reject(ctx.channel(), e.code(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    private void read(ChannelHandlerContext ctx, WebSocketFrame frame) throws FrameException {
        if (frame instanceof BinaryWebSocketFrame) {
            if (mode == JSON) {
                throw new FrameException(ErrorCode.MALFORMED_FRAME, "binary message on the " + WebRequests.JSON
                        + " subprotocol: send JSON text messages");
            }
            ctx.fireChannelRead(FrameDecoder.decodeWhole(frame.content(), maxFrameBytes));
        } else if (frame instanceof TextWebSocketFrame text) {
            if (mode == BINARY) {
                throw new FrameException(ErrorCode.MALFORMED_FRAME, "text message on the " + WebRequests.BINARY
                        + " subprotocol: send binary frames");
            }
            ctx.fireChannelRead(JsonFrames.decode(text.text()));
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
            activity(ctx);
        } else if (frame instanceof PongWebSocketFrame) {
            activity(ctx);
        } else if (frame instanceof CloseWebSocketFrame close) {
            closing = true;
            int status = close.statusCode() > 0 ? close.statusCode() : WebSocketCloseStatus.NORMAL_CLOSURE.code();
            if (connected) {
                ctx.writeAndFlush(new CloseWebSocketFrame(status, null), ctx.voidPromise());
                ctx.fireChannelRead(Disconnect.newBuilder().setReason(close.reasonText()).build());
            } else {
                ctx.writeAndFlush(new CloseWebSocketFrame(status, null)).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** A WebSocket-level heartbeat: activity for the session once it is up; before, the pong alone answers. */
    private void activity(ChannelHandlerContext ctx) {
        if (connected) {
            pongsOwed++;
            ctx.fireChannelRead(Ping.INSTANCE);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.write(msg, promise); // the handshake's response, or WebSocket frames written above
            return;
        }
        int type = frame.getUnsignedByte(frame.readerIndex());
        if (mode == HTTP && type == FrameType.ERROR_VALUE && !closing) {
            closing = true;
            Error e = body(frame, Error.parser());
            frame.release();
            HttpReplies.error(ctx, e.getCode(), e.getReason(), promise);
            return;
        }
        boolean owedPong = type == FrameType.PONG_VALUE && pongsOwed > 0;
        if (mode == HTTP || closing || owedPong) {
            pongsOwed -= owedPong ? 1 : 0;
            frame.release();
            promise.trySuccess();
            return;
        }
        if (type == FrameType.CONNACK_VALUE) {
            connected = body(frame, ConnAck.parser()).getCode() == ErrorCode.OK;
        }
        Error error = type == FrameType.ERROR_VALUE ? body(frame, Error.parser()) : null;
        WebSocketFrame out;
        if (mode == BINARY) {
            out = new BinaryWebSocketFrame(frame);
        } else {
            try {
                out = new TextWebSocketFrame(JsonFrames.encode(ctx.alloc(), frame));
            } finally {
                frame.release();
            }
        }
        if (error == null) {
            ctx.write(out, promise);
            return;
        }
        closing = true;
        ctx.write(out, ctx.voidPromise());
        ctx.write(new CloseWebSocketFrame(CLOSE_CODE_BASE + error.getCodeValue(), closeReason(error.getReason())),
                promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean tooLong = cause instanceof TooLongFrameException
                || (cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
                && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code());
        if (!tooLong && !(cause instanceof CorruptedWebSocketFrameException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (tooLong) {
            errors.reject(ctx.channel(), ErrorCode.FRAME_TOO_LARGE, "message over the limit of "
                    + (maxFrameBytes + 6) + " bytes");
        } else {
            errors.reject(ctx.channel(), ErrorCode.MALFORMED_FRAME, cause.getMessage());
        }
    }

    static <T> T body(ByteBuf frame, Parser<T> parser) {
        try {
            return parser.parseFrom(Frames.body(frame));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("a server frame does not parse", e);
        }
    }

    /** A close frame's reason is at most 123 bytes of UTF-8: cut on a character boundary. */
    static String closeReason(String reason) {
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        int end = MAX_CLOSE_REASON_BYTES;
        while ((utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
