package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.FrameType;
import io.longlink.testsupport.Infra;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device that floods PINGs and never reads: the node stops reading from it once its outbound side
 * is unwritable, so the PONGs queued for it stay bounded, and it is closed as a slow reader.
 */
@ExtendWith(Infra.class)
class ReadBackpressureIntegrationTest {
    private static final int HIGH_WATER = 16_384;
    private static final int RECV_BUFFER = 1_024;
    /** Netty counts each queued write with this overhead (ChannelOutboundBuffer's entry estimate). */
    private static final int ENTRY_OVERHEAD = 96;
    /**
     * After reads stop, the rest of the read buffer already taken from the socket is still decoded:
     * at most RECV_BUFFER / 2 PINGs, each answered by a 2-byte PONG.
     */
    private static final long QUEUE_BOUND = HIGH_WATER + (RECV_BUFFER / 2L) * (2 + ENTRY_OVERHEAD);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("read-backpressure-it")
            .withSendBuffer(4096, 8_192, HIGH_WATER)
            .with(ConnSettings.RECV_BUFFER_BYTES, RECV_BUFFER)
            .with(ConnSettings.MAX_FRAMES_PER_S, 0) // this flood is about bytes, not the frame rate
            .with(ConnSettings.SLOW_READER_MS, 1_500);

    @Test
    void pingFlood_whenDeviceNeverReads_thenQueuedBytesBoundedAndClosedAsSlowReader() throws Exception {
        double slowBefore = conn.metric("longlink_conn_slow_reader_closes_total");
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress(), 4096)) {
            d.loginLive(conn.node(), conn.app(), "flooder");
            Channel ch = conn.node().sessionIndex().find(conn.app().key(), "flooder").channel();
            Thread flood = Thread.ofPlatform().daemon().start(() -> floodPings(d));
            AtomicLong most = new AtomicLong();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> {
                most.accumulateAndGet(queuedBytes(ch), Math::max);
                return !ch.isActive();
            });
            flood.join(10_000);
            assertThat(most.get()).as("bytes queued for the device at most").isPositive()
                    .isLessThanOrEqualTo(QUEUE_BOUND);
        }
        assertThat(conn.metric("longlink_conn_slow_reader_closes_total")).isEqualTo(slowBefore + 1);
    }

    private static void floodPings(TestDevice d) {
        byte[] pings = new byte[2 * 512];
        for (int i = 0; i < pings.length; i += 2) {
            pings[i] = (byte) FrameType.PING_VALUE; // and an empty body
        }
        try {
            while (true) {
                d.sendRaw(pings);
            }
        } catch (IOException closedByTheNode) {
            // the node closed the connection: the flood is over
        }
    }

    private static long queuedBytes(Channel ch) throws Exception {
        return ch.eventLoop().submit(() -> {
            ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
            return out == null ? 0L : out.totalPendingWriteBytes();
        }).get();
    }
}
