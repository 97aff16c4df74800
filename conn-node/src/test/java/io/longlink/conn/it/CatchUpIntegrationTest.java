package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A catch-up that the device reads slowly: live pushes it cannot hold (conn.pending-max) are
 * REJECTED, stay in the inbox, and still reach the device on the same connection.
 */
@ExtendWith(Infra.class)
class CatchUpIntegrationTest {
    private static final String PAYLOAD = "x".repeat(4096);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("catchup-it")
            .with(ConnSettings.PENDING_MAX, 2)
            .with(ConnSettings.REPLAY_PAGE, 2)
            .with(ConnSettings.SLOW_READER_MS, 60_000)
            .withSendBuffer(4096, 2048, 8192);

    private static long nextId = 1_900_000_000_000L;

    /** Ids a millisecond apart in their timestamp bits, as one api-node's clock makes them over time. */
    private static synchronized long id() {
        return nextId += 1L << 22;
    }

    @Test
    void deliver_whenTheHeldQueueIsFullDuringTheCatchUp_thenRefusedCopiesFollowOnTheSameConnection()
            throws Exception {
        TestRedis.App app = conn.redis().newApp();
        String device = "stalled";
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) { // ~250 KB of broadcast log: the replay stalls on the unread socket
            long id = id();
            conn.redis().logBroadcast(app.key(), TestRouter.push(id, PAYLOAD), null, 60_000);
            expected.add(id);
        }
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress(), 4096)) {
            ConnAck ack = d.loginOk(app.connectFrame(device, 60));
            // as a router does: each copy stored in the inbox, then delivered; two are held, the rest REJECTED
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Push p = TestRouter.push(id(), "live");
                conn.redis().storeInInbox(app.key(), device, p, 60_000);
                expected.add(p.getMessageId());
                outcomes.addAll(conn.router().deliver(conn.router().nextBatch(),
                        TestRouter.delivery(app.key(), device, ack.getSessionId(), p)));
            }
            assertThat(outcomes).containsExactly(Outcome.WRITTEN, Outcome.WRITTEN, Outcome.REJECTED,
                    Outcome.REJECTED);

            assertThat(d.readPushIds(expected.size())).containsExactlyElementsOf(expected);
            d.ping();
            assertThat(d.read().frameType()).as("nothing written twice").isEqualTo(FrameType.PONG);
        }
    }
}
