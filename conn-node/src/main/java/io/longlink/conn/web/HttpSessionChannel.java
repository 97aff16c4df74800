package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import java.net.SocketAddress;

/**
 * The channel of a session that lives across HTTP requests (SSE and long-polling), registered on a
 * device event loop like a socket so that the session layer (timing wheel, store replies on
 * {@code eventLoop()}, writability) works unchanged. Frames the session writes stay in this
 * channel's outbound buffer until a {@link FrameSink} (the event stream, a waiting poll, the CONNECT
 * request) takes them: that buffer is the session's bounded queue, and its watermarks give the
 * session the backpressure a socket gives (unwritable, then SLOW_READER when nobody reads).
 * Event-loop only, except {@link #key()}.
 */
final class HttpSessionChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    private final String key;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final DefaultChannelConfig config;
    /** The outbound buffer, kept: the unsafe forgets it when the close begins, before {@link #doClose}. */
    private final ChannelOutboundBuffer queue;
    private boolean open = true;
    private FrameSink sink;

    HttpSessionChannel(String key, SocketAddress local, SocketAddress remote, WriteBufferWaterMark waterMark) {
        super(null);
        this.key = requireNonNull(key, "key");
        this.local = local;
        this.remote = remote;
        this.config = new DefaultChannelConfig(this);
        config.setWriteBufferWaterMark(waterMark);
        this.queue = unsafe().outboundBuffer();
    }

    /** The secret that names this session in HTTP requests. */
    String key() {
        return key;
    }

    /**
     * Hands the queued frames, and those written later, to {@code next}; a sink attached before is
     * ended first (a newer poll or event stream replaces an older one).
     */
    void attach(FrameSink next) {
        FrameSink previous = sink;
        sink = next;
        if (previous != null) {
            previous.end();
        }
        if (!open) {
            detach(next);
            return;
        }
        unsafe().flush();
        if (sink == next && next.done()) {
            detach(next);
        }
    }

    /** Ends {@code s} if it is still the sink. */
    void detach(FrameSink s) {
        if (sink == s) {
            sink = null;
        }
        s.end();
    }

    /** Pushes queued frames to the sink again (the event stream turned writable). */
    void resume() {
        if (open && sink != null) {
            unsafe().flush();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        FrameSink s = sink;
        if (s == null) {
            return; // the frames wait in the outbound buffer, counted against its watermarks
        }
        for (Object m = in.current(); m != null; m = in.current()) {
            if (!s.take((ByteBuf) m)) {
                break;
            }
            in.remove();
            if (s.done()) {
                break;
            }
        }
        s.flush();
        if (s.done()) {
            detach(s);
        }
    }

    @Override
    protected void doClose() {
        open = false;
        FrameSink s = sink;
        if (s == null) {
            return;
        }
        // the last frames (ERROR before the close) still reach a waiting reader
        for (Object m = queue.current(); m != null && !s.done() && s.take((ByteBuf) m); m = queue.current()) {
            queue.remove();
        }
        s.flush();
        detach(s);
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("an HTTP session channel does not connect"));
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true; // it does no I/O of its own: any event loop runs it
    }

    @Override
    protected void doRegister() {
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("an HTTP session channel does not bind");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doBeginRead() {
        // frames come from HTTP requests; a session that does not read gets 429 on its requests (HttpSessionRequests)
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }
}
