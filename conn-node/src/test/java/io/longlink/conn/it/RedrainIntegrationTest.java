package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnSettings;
import io.longlink.conn.session.Session;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A live push REJECTED for a slow reader reaches the device once it reads again, on the same connection. */
@ExtendWith(Infra.class)
class RedrainIntegrationTest {
    private static final String PAYLOAD = "p".repeat(8_000);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("redrain-it")
            .withSendBuffer(4096, 4096, 16_384)
            .with(ConnSettings.SLOW_READER_MS, 60_000);

    private static double redrains() {
        return conn.metric("longlink_conn_inbox_redrains_total");
    }

    /** As the router does: body and inbox entry first, then the live delivery. */
    private static Outcome push(String device, String connectionId, long id) throws Exception {
        Push push = TestRouter.push(id, PAYLOAD);
        conn.redis().storeMessage(push, 600_000);
        conn.redis().addToInbox(conn.app().key(), device, id);
        return conn.router().deliver(conn.router().nextBatch(),
                TestRouter.delivery(conn.app().key(), device, connectionId, push)).get(0);
    }

    @Test
    void deliver_whenRejectedForSlowReaderThatReadsAgain_thenInboxRedrainedOnSameConnection() throws Exception {
        String device = "slow-then-fast";
        double before = redrains();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress(), 2048)) {
            ConnAck ack = d.loginOk(conn.app().connectFrame(device, 60));
            d.pingPong();
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.session(device) != null);
            Session session = conn.session(device);

            // the device stops reading: socket buffers fill, then the channel turns unwritable
            List<Outcome> seen = new ArrayList<>();
            long id = 1_000;
            long rejected = 0;
            while (rejected == 0 && id < 1_400) {
                Outcome o = push(device, ack.getSessionId(), id);
                seen.add(o);
                if (o == Outcome.REJECTED) {
                    rejected = id;
                }
                id++;
            }
            assertThat(seen).contains(Outcome.WRITTEN);
            assertThat(rejected).as("a push was REJECTED").isNotZero();
            assertThat(redrains()).isEqualTo(before);

            // reading again: the rejected push arrives from the inbox without a reconnect
            Set<Long> received = new LinkedHashSet<>();
            for (int i = 0; i < 2_000 && !received.contains(rejected); i++) {
                TestDevice.Frame f = d.read();
                assertThat(f.frameType()).isEqualTo(FrameType.PUSH);
                received.add(f.push().getMessageId());
            }
            assertThat(received).contains(rejected);
            assertThat(redrains()).isEqualTo(before + 1);
            assertThat(conn.session(device)).isSameAs(session);

            // once the re-drain is over the session is live again: a new push is written at once
            await().atMost(Duration.ofSeconds(5)).until(() -> session.state() == Session.LIVE);
            long next = id + 10;
            assertThat(push(device, ack.getSessionId(), next)).isEqualTo(Outcome.WRITTEN);
            long last = 0;
            for (int i = 0; i < 2_000 && last != next; i++) {
                last = d.read().push().getMessageId();
            }
            assertThat(last).isEqualTo(next);
        }
    }

    @Test
    void deliver_whenNeverRejected_thenNoRedrain() throws Exception {
        String device = "fast";
        double before = redrains();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.login(conn.app().connectFrame(device, 60));
            d.pingPong();
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.session(device) != null);
            for (long id = 5_000; id < 5_020; id++) {
                assertThat(push(device, ack.getSessionId(), id)).isEqualTo(Outcome.WRITTEN);
                assertThat(d.read().push().getMessageId()).isEqualTo(id);
            }
            assertThat(redrains()).isEqualTo(before);
        }
    }
}
