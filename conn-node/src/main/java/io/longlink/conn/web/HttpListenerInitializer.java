package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.tcp.HandlerNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP session listener (conn.http.port) for browsers without WebSocket: SSE and long-polling.
 * Its connections carry requests only; each session is an {@link HttpSessionChannel} with the
 * shared session handler, so these connections are not sessions and need their own idle bound: a
 * connection without a request for longer than a poll's hold (plus the CONNECT time) is closed,
 * unless it carries an event stream, which lives as long as its session.
 */
public final class HttpListenerInitializer extends ChannelInitializer<Channel> {
    public static final String ENDPOINT = HttpSessionInitializer.ENDPOINT;

    private final SslContext tls;
    private final WebOptions options;
    private final CorsConfig cors;
    private final HttpSessionRequests requests;
    private final FixedDelays idleChecks;
    private final long idleNanos;

    /**
     * @param session    the shared session handler, for the session channels
     * @param exceptions the exception handler of the session channels
     * @param loops      the device event loops the session channels run on
     */
    public HttpListenerInitializer(SslContext tls, ChannelHandler session, ChannelHandler exceptions,
                                   WebOptions options, FrameErrorSink errors, EventLoopGroup loops,
                                   WriteBufferWaterMark waterMark, long pollHoldMs, long connectTimeoutMs) {
        this.tls = tls;
        this.options = requireNonNull(options, "options");
        CorsConfigBuilder b = options.allowedOrigins().isEmpty() ? CorsConfigBuilder.forAnyOrigin()
                : CorsConfigBuilder.forOrigins(options.allowedOrigins().toArray(String[]::new));
        this.cors = b.allowedRequestMethods(HttpMethod.GET, HttpMethod.POST).allowedRequestHeaders("content-type")
                .shortCircuit().build();
        HttpSessions sessions = new HttpSessions(loops, new HttpSessionInitializer(session, exceptions,
                pollHoldMs + connectTimeoutMs), waterMark);
        this.requests = new HttpSessionRequests(sessions, errors, new FixedDelays(loops, pollHoldMs, System::nanoTime));
        long idleMs = pollHoldMs + connectTimeoutMs;
        this.idleChecks = new FixedDelays(loops, idleMs, System::nanoTime);
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMs);
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            SslHandler ssl = tls.newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(0); // the idle bound below covers the handshake
            p.addLast(HandlerNames.TLS, ssl);
        }
        p.addLast(HandlerNames.HTTP_IDLE, new HttpIdleClose(idleChecks, idleNanos));
        p.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec());
        p.addLast(HandlerNames.HTTP_AGGREGATOR, new HttpObjectAggregator(options.maxMessageBytes()));
        p.addLast(HandlerNames.HTTP_CORS, new CorsHandler(cors));
        p.addLast(HandlerNames.HTTP_SESSION_REQUESTS, requests);
    }
}
