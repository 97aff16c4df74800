package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.codec.FrameException;
import io.longlink.conn.tcp.ExceptionHandler;
import io.longlink.conn.tcp.HandlerNames;
import io.longlink.conn.web.json.JsonFrames;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP session API (SSE and long-polling, docs/protocol.md "Browsers: SSE and long-polling"):
 * {@code POST /connect} opens a session and answers its CONNACK, {@code GET /events} streams its
 * frames, {@code GET|POST /poll} answers the queued frames or [] after the hold time,
 * {@code POST /send} takes one device frame. Stateless and shared by every connection; the session
 * itself is an {@link HttpSessionChannel} on a device event loop.
 */
@ChannelHandler.Sharable
final class HttpSessionRequests extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpSessionRequests.class);
    /** About this much JSON per poll answer, so one answer stays small even after a long gap. */
    private static final int POLL_MAX_CHARS = 64 * 1024;

    private final HttpSessions sessions;
    private final FrameErrorSink errors;
    private final FixedDelays pollHolds;

    /** @param pollHolds delays of conn.http.poll-hold-ms on the sessions' loops */
    HttpSessionRequests(HttpSessions sessions, FrameErrorSink errors, FixedDelays pollHolds) {
        this.sessions = requireNonNull(sessions, "sessions");
        this.errors = requireNonNull(errors, "errors");
        this.pollHolds = requireNonNull(pollHolds, "pollHolds");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            HttpReplies.refuse(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        boolean post = req.method().equals(HttpMethod.POST);
        boolean get = req.method().equals(HttpMethod.GET);
        if (path.equals("/connect") && post) {
            connect(ctx, req, keepAlive);
            return;
        }
        if (!(path.equals("/events") && get) && !(path.equals("/poll") && (get || post))
                && !(path.equals("/send") && post)) {
            HttpReplies.refuse(ctx, HttpResponseStatus.NOT_FOUND, "not found; this port serves POST /connect,"
                    + " GET /events, GET|POST /poll and POST /send");
            return;
        }
        List<String> keys = uri.parameters().get("session");
        HttpSessionChannel session = sessions.find(keys == null ? null : keys.get(0));
        if (session == null) {
            HttpReplies.error(ctx, ErrorCode.NOT_CONNECTED, "unknown or closed session; POST /connect again",
                    keepAlive);
            return;
        }
        switch (path) {
            case "/events" -> events(ctx, session);
            case "/poll" -> poll(ctx, session, keepAlive);
            default -> send(ctx, session, req.content().toString(StandardCharsets.UTF_8), keepAlive);
        }
    }

    private void connect(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
        Object frame;
        try {
            frame = JsonFrames.decode(req.content().toString(StandardCharsets.UTF_8));
        } catch (FrameException e) {
            HttpReplies.error(ctx, e.code(), e.getMessage(), keepAlive);
            return;
        }
        if (!(frame instanceof Connect connect)) {
            HttpReplies.error(ctx, ErrorCode.NOT_CONNECTED, "POST /connect takes a CONNECT", keepAlive);
            return;
        }
        sessions.open(ctx.channel().localAddress(), ctx.channel().remoteAddress()).addListener(f -> {
            HttpSessionChannel session = (HttpSessionChannel) ((ChannelFuture) f).channel();
            if (!f.isSuccess()) {
                HttpReplies.error(ctx, ErrorCode.INTERNAL, "cannot open a session; retry with backoff", keepAlive);
                return;
            }
            // A task of the session's loop, never inline: a listener of the registration may run inside it,
            // before channelActive opened the session, and the CONNECT would then find no session.
            session.eventLoop().execute(() -> {
                // the CONNACK (or the refusal) is this request's answer
                session.attach(new HttpSessionSinks.ConnectSink(ctx, keepAlive, session.key()));
                session.pipeline().fireChannelRead(connect);
            });
        });
    }

    private void events(ChannelHandlerContext ctx, HttpSessionChannel session) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.writeAndFlush(r, ctx.voidPromise());
        if (ctx.pipeline().get(HandlerNames.HTTP_IDLE) != null) {
            ctx.pipeline().remove(HandlerNames.HTTP_IDLE); // the stream lives as long as its session
        }
        HttpSessionSinks.EventStreamSink sink = new HttpSessionSinks.EventStreamSink(ctx);
        ctx.channel().closeFuture().addListener(f -> session.eventLoop().execute(() -> session.detach(sink)));
        session.eventLoop().execute(() -> session.attach(sink));
        ctx.channel().attr(EventStreams.SESSION).set(session);
    }

    private void poll(ChannelHandlerContext ctx, HttpSessionChannel session, boolean keepAlive) {
        session.eventLoop().execute(() -> {
            if (!session.isOpen()) {
                HttpReplies.error(ctx, ErrorCode.NOT_CONNECTED, "closed session; POST /connect again", keepAlive);
                return;
            }
            HttpSessionSinks.PollSink sink = new HttpSessionSinks.PollSink(ctx, keepAlive, POLL_MAX_CHARS);
            ((HttpSessionAdapter) session.pipeline().get(HandlerNames.HTTP_SESSION_ADAPTER))
                    .polled(session.pipeline().context(HandlerNames.HTTP_SESSION_ADAPTER));
            session.attach(sink);
            if (!sink.done()) {
                pollHolds.add(session.eventLoop(), () -> session.detach(sink));
            }
        });
    }

    private void send(ChannelHandlerContext ctx, HttpSessionChannel session, String body, boolean keepAlive) {
        Object frame;
        try {
            frame = JsonFrames.decode(body);
        } catch (FrameException e) {
            errors.reject(session, e.code(), e.getMessage());
            HttpReplies.error(ctx, e.code(), e.getMessage(), keepAlive);
            return;
        }
        session.eventLoop().execute(() -> {
            if (!session.isOpen()) {
                HttpReplies.error(ctx, ErrorCode.NOT_CONNECTED, "closed session; POST /connect again", keepAlive);
            } else if (!session.config().isAutoRead()) {
                // the session reads nothing while its queue is full or its ACKs wait: poll, then send again
                HttpReplies.json(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, "[]", keepAlive);
            } else {
                session.pipeline().fireChannelRead(frame);
                HttpReplies.json(ctx, HttpResponseStatus.OK, "[]", keepAlive);
            }
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        HttpSessionChannel session = ctx.channel().attr(EventStreams.SESSION).get();
        if (session != null && ctx.channel().isWritable()) {
            session.eventLoop().execute(session::resume);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** An HTTP connection holds no session: nothing to tell beyond the close; the unexpected is logged. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ExceptionHandler.isNetworkError(cause)) {
            log.debug("HTTP connection error remote={} error=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("unexpected error on an HTTP session connection; closing it remote={}",
                    ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /** The session an event-stream connection feeds, so its writability can resume that session. */
    static final class EventStreams {
        static final AttributeKey<HttpSessionChannel> SESSION = AttributeKey.valueOf(EventStreams.class, "session");

        private EventStreams() {
        }
    }
}
