package io.longlink.conn.web;

import io.longlink.conn.web.json.JsonFrames;
import io.longlink.proto.device.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * HTTP answers of the web listeners. Those of the WebSocket listener close the connection (it serves
 * one upgrade); the HTTP session API's keep it open when the client asks.
 */
final class HttpReplies {
    private HttpReplies() {
    }

    /** A plain-text refusal of a request that is not what this port serves. */
    static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        ctx.writeAndFlush(refusal(ctx, status, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    static FullHttpResponse refusal(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        return response(ctx, status, "text/plain; charset=utf-8", ByteBufUtil.writeUtf8(ctx.alloc(), reason + "\n"));
    }

    /** The session layer's ERROR as an HTTP answer, before any WebSocket upgrade: status by code, the JSON ERROR as body. */
    static void error(ChannelHandlerContext ctx, ErrorCode code, String reason, ChannelPromise promise) {
        ctx.write(response(ctx, status(code), "application/json",
                ByteBufUtil.writeUtf8(ctx.alloc(), JsonFrames.error(code, reason))), promise);
    }

    static HttpResponseStatus status(ErrorCode code) {
        return switch (code) {
            case NODE_FULL, SERVER_DRAINING -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case RATE_LIMITED -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case CONNECT_TIMEOUT -> HttpResponseStatus.REQUEST_TIMEOUT;
            case INTERNAL -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            case BAD_TOKEN, TOKEN_EXPIRED -> HttpResponseStatus.UNAUTHORIZED;
            case KICKED -> HttpResponseStatus.CONFLICT;
            case FRAME_TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            default -> HttpResponseStatus.BAD_REQUEST;
        };
    }

    /** A JSON answer; the connection stays open for the next request when the client keeps it alive. */
    static void json(ChannelHandlerContext ctx, HttpResponseStatus status, String json, boolean keepAlive) {
        FullHttpResponse r = response(ctx, status, "application/json", ByteBufUtil.writeUtf8(ctx.alloc(), json));
        if (keepAlive) {
            r.headers().remove(HttpHeaderNames.CONNECTION);
            ctx.writeAndFlush(r, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** An error of the HTTP session API: the status for the code and the JSON ERROR. */
    static void error(ChannelHandlerContext ctx, ErrorCode code, String reason, boolean keepAlive) {
        json(ctx, status(code), JsonFrames.error(code, reason), keepAlive);
    }

    static FullHttpResponse ok(ChannelHandlerContext ctx, String contentType, byte[] body) {
        return response(ctx, HttpResponseStatus.OK, contentType, Unpooled.wrappedBuffer(body));
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType,
                                             ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }
}
