package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Closes an HTTP connection that made no request for the idle time: one check per idle time in the
 * loop's {@link FixedDelays}, never a timer of its own, so the close comes between one and two idle
 * times after the last request. An SSE stream removes it (the stream lives as long as its session).
 */
final class HttpIdleClose extends ChannelInboundHandlerAdapter {
    private final FixedDelays checks;
    private final long idleNanos;
    private long lastReadNanos;

    /** @param checks delays of the idle time, on the connections' loops */
    HttpIdleClose(FixedDelays checks, long idleNanos) {
        this.checks = requireNonNull(checks, "checks");
        this.idleNanos = idleNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        lastReadNanos = System.nanoTime();
        checkLater(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        ctx.fireChannelRead(msg);
    }

    private void checkLater(ChannelHandlerContext ctx) {
        checks.add(ctx.executor(), () -> {
            if (ctx.isRemoved() || !ctx.channel().isActive()) {
                return;
            }
            if (System.nanoTime() - lastReadNanos >= idleNanos) {
                ctx.close();
            } else {
                checkLater(ctx);
            }
        });
    }
}
