package io.longlink.conn.web;

import io.longlink.conn.tcp.AbstractDeviceInitializer;
import io.longlink.conn.tcp.HandlerNames;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/** The pipeline of an {@link HttpSessionChannel}: the adapter, then the shared session handler. */
final class HttpSessionInitializer extends AbstractDeviceInitializer {
    static final String ENDPOINT = "http";

    private final long closeGraceMs;

    HttpSessionInitializer(ChannelHandler session, ChannelHandler exceptions, long closeGraceMs) {
        super(null, session, exceptions);
        this.closeGraceMs = closeGraceMs;
    }

    @Override
    protected void addFrameHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.HTTP_SESSION_ADAPTER, new HttpSessionAdapter(closeGraceMs));
    }

    @Override
    protected String endpointKey() {
        return ENDPOINT;
    }
}
