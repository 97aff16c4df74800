package io.longlink.conn.tcp;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.session.Disconnector;
import io.longlink.proto.device.ErrorCode;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in every device pipeline. Network errors (resets, broken pipes, failed TLS handshakes) are
 * routine at scale: the connection is closed quietly. Anything else is a defect: logged loudly
 * once per exception type (then at debug, so a storm cannot flood the log) and the connection is
 * closed with ERROR INTERNAL. Payloads are never logged.
 */
@ChannelHandler.Sharable
public final class ExceptionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ExceptionHandler.class);

    private final Disconnector disconnector;
    private final Set<Class<?>> seen = ConcurrentHashMap.newKeySet();

    public ExceptionHandler(Disconnector disconnector) {
        this.disconnector = requireNonNull(disconnector, "disconnector");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isNetworkError(cause)) {
            log.debug("connection error remote={} error=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        if (seen.add(cause.getClass())) {
            log.warn("unexpected error on a device connection; closing it remote={}", ctx.channel().remoteAddress(),
                    cause);
        } else {
            log.debug("unexpected error on a device connection remote={} error=\"{}\"", ctx.channel().remoteAddress(),
                    cause.toString());
        }
        disconnector.disconnect(ctx.channel(), ErrorCode.INTERNAL, "internal error; reconnect with backoff");
    }

    public static boolean isNetworkError(Throwable t) {
        Throwable c = t instanceof DecoderException && t.getCause() != null ? t.getCause() : t;
        return c instanceof IOException || c instanceof ClosedChannelException || c instanceof SSLException;
    }
}
