package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.tcp.AbstractDeviceInitializer;
import io.longlink.conn.tcp.HandlerNames;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;

/**
 * The web listener: HTTP until a WebSocket upgrade on {@link WebOptions#path()}, then WebSocket
 * messages that each carry one device frame (binary or JSON). The HTTP handlers leave the pipeline
 * with the upgrade, so an idle WebSocket connection holds only the WebSocket codec and the adapter.
 */
public final class WebDeviceInitializer extends AbstractDeviceInitializer {
    public static final String ENDPOINT = "ws";

    private final WebOptions options;
    private final FrameErrorSink errors;
    private final WebRequests requests;

    public WebDeviceInitializer(SslContext tls, ChannelHandler session, ChannelHandler exceptions, WebOptions options,
                                FrameErrorSink errors) {
        super(tls, session, exceptions);
        this.options = requireNonNull(options, "options");
        this.errors = requireNonNull(errors, "errors");
        this.requests = new WebRequests(options);
    }

    @Override
    protected void addFrameHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec());
        pipeline.addLast(HandlerNames.HTTP_AGGREGATOR, new HttpObjectAggregator(options.maxMessageBytes()));
        pipeline.addLast(HandlerNames.WEB_REQUESTS, requests);
        pipeline.addLast(HandlerNames.WS_ADAPTER, new WebSocketAdapter(options.maxFrameBytes(), errors));
    }

    @Override
    protected String endpointKey() {
        return ENDPOINT;
    }
}
