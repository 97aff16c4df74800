package io.longlink.conn.tcp;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;

/**
 * The shared shape of every device pipeline: optional TLS, the listener's own handlers that turn
 * its transport into device frames, then the shared session handler and the exception handler last.
 * TCP adds the frame decoder, MQTT its codec and adapter ({@code io.longlink.conn.mqtt}); a WebSocket
 * listener would add its own here.
 */
public abstract class AbstractDeviceInitializer extends ChannelInitializer<Channel> {
    /** The membership endpoint key of the raw TCP device listener. */
    public static final String DEVICE_ENDPOINT = DeviceListener.DEVICE_ENDPOINT;
    /** Set only on session channels no listener accepted: accepted ones find their listener's name on its server channel. */
    private static final AttributeKey<String> ENDPOINT = AttributeKey.valueOf(AbstractDeviceInitializer.class,
            "endpoint");

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
        if (ch.parent() == null && !DEVICE_ENDPOINT.equals(endpointKey())) {
            ch.attr(ENDPOINT).set(endpointKey()); // a session channel of no listener (HTTP sessions)
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
        return DEVICE_ENDPOINT;
    }

    /**
     * The endpoint key of {@code ch}'s transport: the name of the listener that accepted it (kept on
     * the server channel, see {@link DeviceListener#endpointOf}), or for a session channel that no
     * listener accepted, the key its initializer gave it.
     */
    public static String endpointOf(Channel ch) {
        return ch.parent() == null && ch.hasAttr(ENDPOINT) ? ch.attr(ENDPOINT).get() : DeviceListener.endpointOf(ch);
    }
}
