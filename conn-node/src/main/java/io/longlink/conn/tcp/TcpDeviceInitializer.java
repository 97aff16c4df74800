package io.longlink.conn.tcp;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.FrameDecoder;
import io.longlink.conn.codec.FrameErrorSink;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;

/** The raw TCP device listener: length-prefixed frames straight off the socket. */
public final class TcpDeviceInitializer extends AbstractDeviceInitializer {
    private final int maxFrameBytes;
    private final FrameErrorSink errors;

    public TcpDeviceInitializer(SslContext tls, ChannelHandler session, ChannelHandler exceptions, int maxFrameBytes,
                                FrameErrorSink errors) {
        super(tls, session, exceptions);
        this.maxFrameBytes = maxFrameBytes;
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    protected void addFrameHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.FRAME_DECODER, new FrameDecoder(maxFrameBytes, errors));
    }
}
