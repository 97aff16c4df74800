package io.longlink.loadtest.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A device on a conn-node's WebSocket listener (subprotocol longlink.v1): each binary message is
 * one device frame. The CONNECT the device writes when the socket opens waits for the handshake.
 */
final class WebSocketFrames extends ChannelDuplexHandler {
    private ByteBuf pending;
    private ChannelPromise pendingPromise;
    private boolean open;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.write(msg, promise);
        } else if (open) {
            ctx.write(new BinaryWebSocketFrame(frame), promise);
        } else {
            pending = frame; // only the CONNECT is written before the handshake ends
            pendingPromise = promise;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            open = true;
            if (pending != null) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(pending), pendingPromise);
                pending = null;
                pendingPromise = null;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame frame) {
            ctx.fireChannelRead(frame.content()); // the frame decoder releases it
        } else if (msg instanceof WebSocketFrame other) {
            other.release();
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
