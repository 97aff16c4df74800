package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.codec.FrameErrorSink;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the server closes a device connection: optional frames that explain it (CONNACK with
 * the code, KICK, REDIRECT), then ERROR(code, reason), then close. The close waits for the ERROR
 * write when the socket is writable; a socket that is not (a slow reader) is closed at once, since
 * waiting would hold the connection for a peer that does not read.
 */
public final class Disconnector implements FrameErrorSink {
    private static final Logger log = LoggerFactory.getLogger(Disconnector.class);

    static final AttributeKey<Session> SESSION = AttributeKey.valueOf(Disconnector.class, "session");

    private final ConnMetrics metrics;

    public Disconnector(ConnMetrics metrics) {
        this.metrics = requireNonNull(metrics, "metrics");
    }

    @Override
    public void reject(Channel channel, ErrorCode code, String reason) {
        disconnect(channel, code, reason);
    }

    public void disconnect(Channel ch, ErrorCode code, String reason, ByteBuf... before) {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(() -> disconnect(ch, code, reason, before));
            return;
        }
        Session s = ch.attr(SESSION).get();
        if (!ch.isActive() || (s != null && s.isClosingOrClosed())) {
            for (ByteBuf b : before) {
                ReferenceCountUtil.release(b);
            }
            return;
        }
        if (s != null) {
            s.flags |= Session.F_CLOSING;
        }
        metrics.disconnect(code);
        if (log.isDebugEnabled()) {
            log.debug("closing connection code={} reason=\"{}\" remote={} app={} device={} conn={}", code, reason,
                    ch.remoteAddress(), s == null ? null : s.appKey, s == null ? null : s.deviceId,
                    s == null || s.appKey == null ? null : s.connectionIdText());
        }
        for (ByteBuf b : before) {
            metrics.frameOut(b.getUnsignedByte(b.readerIndex()));
            ch.write(b);
        }
        metrics.frameOut(FrameType.ERROR);
        boolean writable = ch.isWritable();
        ch.writeAndFlush(Frames.error(ch.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
        if (!writable) {
            ch.close();
        }
    }
}
