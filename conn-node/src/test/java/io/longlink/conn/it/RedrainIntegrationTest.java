package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnSettings;
import io.longlink.conn.session.Session;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
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

/**
 * Stored copies reach a device that stays connected: a live push REJECTED for a slow reader once it
 * reads again, copies a router could not deliver when it asks for a re-drain, and a tag or broadcast
 * push missed on a full socket from the broadcast log.
 */
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

    private static Delivery redrain(TestRedis.App app, String device, String connectionId) {
        return Delivery.newBuilder().setAppKey(app.key()).setDeviceId(device).setConnectionId(connectionId)
                .setRedrain(true).build();
    }

    private static ConnAck loginLive(TestDevice d, TestRedis.App app, String device) throws Exception {
        ConnAck ack = d.loginOk(app.connectFrame(device, 60));
        d.pingPong();
        return ack;
    }

    /** Copies a router stored in the inbox of {@code device}: message {@code ids}, in this order. */
    private static void stored(TestRedis.App app, String device, long... ids) {
        for (long id : ids) {
            conn.redis().storeInInbox(app.key(), device, TestRouter.push(id, "stored"), 60_000);
        }
    }

    @Test
    void deliver_whenRedrainOnly_thenTheStoredCopiesWrittenOnTheLiveConnection() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = loginLive(d, app, "dirty");
            // copies whose DeliveryBatch failed: the router stored them and marked the device dirty
            long a = 8_100_001L;
            long b = 8_100_002L;
            stored(app, "dirty", a, b);

            assertThat(conn.router().deliver(conn.router().nextBatch(), redrain(app, "dirty", ack.getSessionId())))
                    .containsExactly(Outcome.WRITTEN);
            assertThat(d.readPushIds(2)).containsExactly(a, b);
        }
    }

    @Test
    void deliver_whenRedrainWithAPush_thenTheStoredCopiesComeBeforeIt() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = loginLive(d, app, "behind");
            long failed = 8_200_001L;
            Push next = TestRouter.push(8_200_002L, "next");
            stored(app, "behind", failed, next.getMessageId());

            Delivery d2 = TestRouter.delivery(app.key(), "behind", ack.getSessionId(), next).toBuilder()
                    .setRedrain(true).build();
            assertThat(conn.router().deliver(conn.router().nextBatch(), d2)).containsExactly(Outcome.WRITTEN);
            assertThat(d.readPushIds(2)).containsExactly(failed, next.getMessageId());
            d.ping();
            assertThat(d.read().frameType()).as("the push written once").isEqualTo(FrameType.PONG);
        }
    }

    @Test
    void deliver_whenRedrainForADeviceNotHere_thenNotHere() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        assertThat(conn.router().deliver(conn.router().nextBatch(), redrain(app, "absent", "")))
                .containsExactly(Outcome.NOT_HERE);
    }

    @Test
    void fanOut_whenTheSocketIsFullAndTheCopyIsLogged_thenReplayedOnceTheDeviceReadsAgain() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        String device = "slow-fan";
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress(), 2048)) {
            ConnAck ack = loginLive(d, app, device);
            long id = 8_300_000L;
            Outcome o = Outcome.WRITTEN;
            while (o != Outcome.REJECTED && id < 8_300_400L) { // the device stops reading: the socket fills
                Push p = TestRouter.push(++id, PAYLOAD);
                conn.redis().storeInInbox(app.key(), device, p, 600_000);
                o = conn.router().deliver(conn.router().nextBatch(),
                        TestRouter.delivery(app.key(), device, ack.getSessionId(), p)).get(0);
            }
            assertThat(o).isEqualTo(Outcome.REJECTED);

            Push broadcast = TestRouter.push(8_399_999L, "to everyone");
            long position = conn.redis().logBroadcast(app.key(), broadcast, null, 600_000);
            FanOutResponse r = conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(app.key())
                    .setBroadcast(true).setPush(broadcast).setLogPosition(position).build());
            assertThat(r.getMatched()).isEqualTo(1);
            assertThat(r.getWritten()).isZero();

            Set<Long> received = new LinkedHashSet<>();
            for (int i = 0; i < 2_000 && !received.contains(broadcast.getMessageId()); i++) {
                received.add(d.read().push().getMessageId());
            }
            assertThat(received).contains(broadcast.getMessageId());
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
