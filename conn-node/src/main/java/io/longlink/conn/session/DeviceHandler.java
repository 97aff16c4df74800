package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Hands decoded device frames and channel events to the {@link SessionService}. Shared by every
 * connection of every listener type; the per-connection state lives in the {@link Session}.
 */
@ChannelHandler.Sharable
public final class DeviceHandler extends ChannelInboundHandlerAdapter {
    private final SessionService sessions;

    public DeviceHandler(SessionService sessions) {
        this.sessions = requireNonNull(sessions, "sessions");
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sessions.opened(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sessions.closed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        sessions.frame(ctx.channel(), msg); // decoded frames hold no buffers: nothing to release
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        sessions.writabilityChanged(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }
}
