package io.longlink.conn.tcp;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The shared shape of every device pipeline: optional TLS, the listener's own handlers that turn
 * its transport into device frames, then the shared session handler and the exception handler last.
 * TCP adds the frame decoder, MQTT its codec and adapter ({@code io.longlink.conn.mqtt}), the web
 * listeners theirs ({@code io.longlink.conn.web}).
 */
public abstract class AbstractDeviceInitializer extends ChannelInitializer<Channel> {
    private final SslContext tls;
    private final ChannelHandler session;
    private final ChannelHandler exceptions;

    protected AbstractDeviceInitializer(SslContext tls, ChannelHandler session, ChannelHandler exceptions) {
        this.tls = tls;
        this.session = requireNonNull(session, "session");
        this.exceptions = requireNonNull(exceptions, "exceptions");
    }

    @Override
    protected final void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (ch.parent() == null && !DeviceListener.DEVICE_ENDPOINT.equals(endpointKey())) {
            DeviceListener.nameUnaccepted(ch, endpointKey()); // a session channel of no listener (HTTP sessions)
        }
        if (tls != null) {
            SslHandler ssl = tls.newHandler(ch.alloc());
            // no per-connection handshake timer: the CONNECT deadline of the timing wheel covers the handshake
            ssl.setHandshakeTimeoutMillis(0);
            p.addLast(HandlerNames.TLS, ssl);
        }
        addFrameHandlers(p);
        p.addLast(HandlerNames.SESSION, session);
        p.addLast(HandlerNames.EXCEPTIONS, exceptions);
    }

    /** Adds the handlers that produce device frames (Connect, Ping, Ack, Disconnect) from this transport. */
    protected abstract void addFrameHandlers(ChannelPipeline pipeline);

    /** The key under which this listener is published in the membership; a drain redirects to the same key. */
    protected String endpointKey() {
        return DeviceListener.DEVICE_ENDPOINT;
    }
}
