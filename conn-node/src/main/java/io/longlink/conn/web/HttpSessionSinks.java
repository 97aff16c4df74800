package io.longlink.conn.web;

import io.longlink.conn.web.json.JsonFrames;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/** The three readers of an HTTP session's frames: the CONNECT answer, a long poll, the event stream. */
final class HttpSessionSinks {
    private HttpSessionSinks() {
    }

    /** The frames as a JSON array, answered once: by the CONNECT request or a poll. */
    abstract static class ArraySink implements FrameSink {
        final ChannelHandlerContext ctx;
        final boolean keepAlive;
        final StringBuilder body = new StringBuilder("[");
        private final int maxChars;
        int taken;
        boolean ended;

        ArraySink(ChannelHandlerContext ctx, boolean keepAlive, int maxChars) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
            this.maxChars = maxChars;
        }

        @Override
        public boolean take(ByteBuf frame) {
            if (ended || (taken > 0 && body.length() >= maxChars)) {
                return false;
            }
            body.append(taken++ == 0 ? "" : ",").append(json(frame));
            return true;
        }

        String json(ByteBuf frame) {
            ByteBuf json = JsonFrames.encode(ctx.alloc(), frame);
            try {
                return json.toString(StandardCharsets.UTF_8);
            } finally {
                json.release();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void end() {
            if (ended) {
                return;
            }
            ended = true;
            HttpReplies.json(ctx, status(), body.append(']').toString(), keepAlive);
        }

        abstract HttpResponseStatus status();
    }

    /** Answers POST /connect: the CONNACK (with the HTTP session key), or the refusal's frames up to the ERROR. */
    static final class ConnectSink extends ArraySink {
        private final String key;
        private ErrorCode refused;
        private boolean answered;

        ConnectSink(ChannelHandlerContext ctx, boolean keepAlive, String key) {
            super(ctx, keepAlive, Integer.MAX_VALUE);
            this.key = key;
        }

        @Override
        public boolean take(ByteBuf frame) {
            if (answered) {
                return false;
            }
            int type = frame.getUnsignedByte(frame.readerIndex());
            if (type == FrameType.CONNACK_VALUE) {
                ConnAck ack = WebSocketAdapter.body(frame, ConnAck.parser());
                if (ack.getCode() == ErrorCode.OK) {
                    answered = true;
                    String json = json(frame);
                    body.append("{\"httpSession\":\"").append(key).append("\",").append(json, 1, json.length());
                    taken++;
                    return true;
                }
                refused = ack.getCode();
            } else if (type == FrameType.ERROR_VALUE) {
                answered = true;
                if (refused == null) {
                    refused = WebSocketAdapter.body(frame, io.longlink.proto.device.Error.parser()).getCode();
                }
            }
            return super.take(frame);
        }

        @Override
        public boolean done() {
            return answered;
        }

        @Override
        HttpResponseStatus status() {
            if (refused != null) {
                return HttpReplies.status(refused);
            }
            return answered ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
    }

    /** Answers a poll: as soon as frames are there, at most about {@code maxChars} of JSON; [] when ended empty. */
    static final class PollSink extends ArraySink {
        private boolean flushed;

        PollSink(ChannelHandlerContext ctx, boolean keepAlive, int maxChars) {
            super(ctx, keepAlive, maxChars);
        }

        @Override
        public void flush() {
            flushed = taken > 0;
        }

        @Override
        public boolean done() {
            return flushed || ended;
        }

        @Override
        HttpResponseStatus status() {
            return HttpResponseStatus.OK;
        }
    }

    /** The event stream of GET /events: one event per frame; a PUSH event's id is its message id. */
    static final class EventStreamSink implements FrameSink {
        private final ChannelHandlerContext ctx;
        private boolean ended;

        EventStreamSink(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public boolean take(ByteBuf frame) {
            if (ended || !ctx.channel().isWritable()) {
                return false; // stays queued; the stream's writability change resumes the session channel
            }
            ByteBuf json = JsonFrames.encode(ctx.alloc(), frame);
            String text;
            try {
                text = json.toString(StandardCharsets.UTF_8);
            } finally {
                json.release();
            }
            StringBuilder event = new StringBuilder(text.length() + 40);
            if (frame.getUnsignedByte(frame.readerIndex()) == FrameType.PUSH_VALUE) {
                int at = text.indexOf("\"messageId\":\"") + 13; // the PUSH form starts with it
                event.append("id: ").append(text, at, text.indexOf('"', at)).append('\n');
            }
            event.append("data: ").append(text).append("\n\n");
            ctx.write(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), event)), ctx.voidPromise());
            return true;
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public boolean done() {
            return ended;
        }

        @Override
        public void end() {
            if (!ended) {
                ended = true;
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
