package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.tcp.HandlerNames;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP side of the web listener, before any upgrade: a WebSocket upgrade on the configured path
 * (checked: GET, an Upgrade request, an allowed Origin, one of the Longlink subprotocols), and, when
 * enabled, the demo page and the browser client. Everything else is refused with a clear status and
 * the connection closed. Stateless and shared by every connection.
 */
@ChannelHandler.Sharable
final class WebRequests extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String BINARY = "longlink.v1";
    static final String JSON = "longlink.v1.json";

    private final WebOptions options;
    private final WebSocketDecoderConfig decoderConfig;
    private final byte[] demoPage;
    private final byte[] client;

    WebRequests(WebOptions options) {
        this.options = requireNonNull(options, "options");
        // protocol violations (an over-long or unmasked frame) reach the adapter, which answers them with ERROR
        this.decoderConfig = WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(options.maxMessageBytes())
                .allowExtensions(false).closeOnProtocolViolation(false).build();
        // the page learns the HTTP session port (SSE, long-poll fallbacks) from a meta tag
        this.demoPage = options.demoPage() ? new String(resource("demo.html"), StandardCharsets.UTF_8)
                .replace("@HTTP_PORT@", String.valueOf(options.httpPort())).getBytes(StandardCharsets.UTF_8) : null;
        this.client = options.demoPage() ? resource("longlink.js") : null;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            HttpReplies.refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        if (path.equals(options.path())) {
            upgrade(ctx, req);
        } else if (demoPage != null && req.method().equals(HttpMethod.GET) && path.equals("/")) {
            serve(ctx, "text/html; charset=utf-8", demoPage);
        } else if (client != null && req.method().equals(HttpMethod.GET) && path.equals("/longlink.js")) {
            serve(ctx, "text/javascript; charset=utf-8", client);
        } else {
            HttpReplies.refuse(ctx, HttpResponseStatus.NOT_FOUND, "not found; WebSocket connections go to "
                    + options.path());
        }
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.method().equals(HttpMethod.GET)) {
            HttpReplies.refuse(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "a WebSocket upgrade is a GET request");
            return;
        }
        if (!req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !req.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            FullHttpResponse r = HttpReplies.refusal(ctx, HttpResponseStatus.UPGRADE_REQUIRED,
                    "this path takes WebSocket connections only (Connection: Upgrade, Upgrade: websocket)");
            r.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!options.allows(origin)) {
            HttpReplies.refuse(ctx, HttpResponseStatus.FORBIDDEN, "origin " + origin + " is not allowed");
            return;
        }
        String subprotocol = choose(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
        if (subprotocol == null) {
            HttpReplies.refuse(ctx, HttpResponseStatus.BAD_REQUEST, "offer the subprotocol " + BINARY
                    + " (binary frames) or " + JSON + " (JSON text) in Sec-WebSocket-Protocol");
            return;
        }
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(options.path(), subprotocol,
                decoderConfig).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        handshaker.handshake(ctx, req).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        // the handshaker has put the WebSocket codec in place of the HTTP one; frames may follow at once
        ctx.pipeline().addBefore(HandlerNames.WS_ADAPTER, HandlerNames.WS_AGGREGATOR,
                new WebSocketFrameAggregator(options.maxMessageBytes()));
        ((WebSocketAdapter) ctx.pipeline().get(HandlerNames.WS_ADAPTER)).upgraded(subprotocol.equals(JSON));
        ctx.pipeline().remove(this);
    }

    /** The first Longlink subprotocol the client offers, in its order of preference; null if none. */
    static String choose(String offered) {
        if (offered == null) {
            return null;
        }
        for (String p : offered.split(",")) {
            String s = p.trim();
            if (s.equals(BINARY) || s.equals(JSON)) {
                return s;
            }
        }
        return null;
    }

    private static void serve(ChannelHandlerContext ctx, String contentType, byte[] body) {
        ctx.writeAndFlush(HttpReplies.ok(ctx, contentType, body)).addListener(ChannelFutureListener.CLOSE);
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebRequests.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the conn-node jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
