package io.longlink.conn.web;

import io.longlink.conn.codec.Ping;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.TimeUnit;

/**
 * In an HTTP session's pipeline, before the session handler. A poll counts as a PING (the session's
 * PONG for it is dropped), so a client that polls needs no other heartbeat. An ERROR means the
 * session closes once it is read; a client that stops reading gets the close after
 * {@code closeGraceMs} instead.
 */
final class HttpSessionAdapter extends ChannelDuplexHandler {
    private final long closeGraceMs;
    private int pongsOwed;

    HttpSessionAdapter(long closeGraceMs) {
        this.closeGraceMs = closeGraceMs;
    }

    /** A poll arrived: activity for the session. Event-loop only. */
    void polled(ChannelHandlerContext ctx) {
        pongsOwed++;
        ctx.fireChannelRead(Ping.INSTANCE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf frame) {
            int type = frame.getUnsignedByte(frame.readerIndex());
            if (type == FrameType.PONG_VALUE && pongsOwed > 0) {
                pongsOwed--;
                frame.release();
                promise.trySuccess();
                return;
            }
            if (type == FrameType.ERROR_VALUE) {
                ctx.executor().schedule(() -> ctx.channel().close(), closeGraceMs, TimeUnit.MILLISECONDS);
            }
        }
        ctx.write(msg, promise);
    }
}
