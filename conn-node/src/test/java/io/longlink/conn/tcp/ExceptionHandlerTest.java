package io.longlink.conn.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.session.Disconnector;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ExceptionHandlerTest {
    private final CollectorRegistry registry = new CollectorRegistry();
    private final ConnMetrics metrics = new ConnMetrics(registry, () -> 0, () -> 0);
    private final ExceptionHandler handler = new ExceptionHandler(new Disconnector(metrics));

    private static Object inbound(EmbeddedChannel ch) {
        return ch.readInbound();
    }

    private static Object outbound(EmbeddedChannel ch) {
        return ch.readOutbound();
    }

    private static Error readError(EmbeddedChannel ch) throws Exception {
        ByteBuf out = ch.readOutbound();
        try {
            assertThat((int) out.readUnsignedByte()).isEqualTo(FrameType.ERROR_VALUE);
            int len = out.readUnsignedByte();
            byte[] body = new byte[len];
            out.readBytes(body);
            return Error.parseFrom(body);
        } finally {
            out.release();
        }
    }

    @Test
    void exceptionCaught_whenConnectionReset_thenClosedQuietlyWithoutErrorFrame() {
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(outbound(ch)).isNull();
        assertThat(registry.getSampleValue("longlink_conn_disconnects_total", new String[] {"code"},
                new String[] {"INTERNAL"})).isZero();
    }

    @Test
    void exceptionCaught_whenTlsHandshakeFails_thenClosedQuietly() {
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.pipeline().fireExceptionCaught(new DecoderException(new SSLHandshakeException("no cipher in common")));
        assertThat(ch.isOpen()).isFalse();
        assertThat(outbound(ch)).isNull();
    }

    @Test
    void exceptionCaught_whenUnexpected_thenErrorInternalThenClose() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(handler);
        ch.pipeline().fireExceptionCaught(new IllegalStateException("bug"));
        Error e = readError(ch);
        assertThat(e.getCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(e.getReason()).doesNotContain("bug"); // internals are not sent to devices
        assertThat(ch.isOpen()).isFalse();
        assertThat(registry.getSampleValue("longlink_conn_disconnects_total", new String[] {"code"},
                new String[] {"INTERNAL"})).isEqualTo(1);
    }
}
