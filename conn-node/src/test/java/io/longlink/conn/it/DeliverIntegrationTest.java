package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.KickRequest;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The router-facing Deliver stream and Kick: every outcome, slow readers, ordering of results. */
@ExtendWith(Infra.class)
class DeliverIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("deliver-it")
            .withSendBuffer(4096, 4096, 16_384)
            .with(ConnSettings.SLOW_READER_MS, 600)
            .with(ConnSettings.DELIVER_WINDOW, 2);

    private static double outcomes(Outcome o) {
        return conn.metric("longlink_conn_deliveries_total", "outcome", o.name());
    }

    @Test
    void deliver_whenDeviceConnectedHere_thenWrittenAndReceivedInOrder() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.loginLive(conn.node(), conn.app(), "online");
            double written = outcomes(Outcome.WRITTEN);
            List<Outcome> out = conn.router().deliver(conn.router().nextBatch(),
                    TestRouter.delivery(conn.app().key(), "online", ack.getSessionId(), TestRouter.push(11, "one")),
                    TestRouter.delivery(conn.app().key(), "online", "", TestRouter.push(12, "two")));
            assertThat(out).containsExactly(Outcome.WRITTEN, Outcome.WRITTEN);
            Push first = d.read().push();
            Push second = d.read().push();
            assertThat(first.getMessageId()).isEqualTo(11);
            assertThat(first.getPayload().toStringUtf8()).isEqualTo("one");
            assertThat(second.getMessageId()).isEqualTo(12);
            assertThat(outcomes(Outcome.WRITTEN)).isEqualTo(written + 2);
        }
    }

    @Test
    void deliver_whenDeviceNotHereOrRouteStaleOrPushExpired_thenThoseOutcomes() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.loginLive(conn.node(), conn.app(), "mixed");
            String stale = Long.toHexString(Long.parseUnsignedLong(ack.getSessionId(), 16) ^ 1);
            Push expired = TestRouter.push(21, "late").toBuilder().setExpiresAtMs(System.currentTimeMillis() - 1)
                    .build();
            List<Outcome> out = conn.router().deliver(conn.router().nextBatch(),
                    TestRouter.delivery(conn.app().key(), "nobody", "", TestRouter.push(20, "x")),
                    TestRouter.delivery(conn.app().key(), "mixed", stale, TestRouter.push(22, "x")),
                    TestRouter.delivery(conn.app().key(), "mixed", "not-hex!", TestRouter.push(23, "x")),
                    TestRouter.delivery(conn.app().key(), "mixed", ack.getSessionId(), expired),
                    TestRouter.delivery("other-app", "mixed", "", TestRouter.push(24, "x")),
                    Delivery.newBuilder().setAppKey(conn.app().key()).setDeviceId("mixed").build(), // no push
                    TestRouter.delivery(conn.app().key(), "mixed", ack.getSessionId(), TestRouter.push(25, "ok")));
            assertThat(out).containsExactly(Outcome.NOT_HERE, Outcome.STALE_ROUTE, Outcome.STALE_ROUTE,
                    Outcome.REJECTED, Outcome.NOT_HERE, Outcome.REJECTED, Outcome.WRITTEN);
            assertThat(d.read().push().getMessageId()).isEqualTo(25); // nothing else was written
        }
    }

    @Test
    void deliver_whenDeviceStopsReading_thenRejectedThenClosedAsSlowReader() throws Exception {
        double closes = conn.node().metrics().getSampleValue("longlink_conn_slow_reader_closes_total");
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress(), 2048)) {
            ConnAck ack = d.loginLive(conn.node(), conn.app(), "slow");
            String payload = "p".repeat(8_000);
            List<Outcome> seen = new ArrayList<>();
            long id = 1_000;
            // the device never reads: socket buffers fill, then the connection turns unwritable
            while (!seen.contains(Outcome.REJECTED) && id < 1_400) {
                seen.addAll(conn.router().deliver(conn.router().nextBatch(), TestRouter.delivery(conn.app().key(),
                        "slow", ack.getSessionId(), TestRouter.push(id++, payload))));
            }
            assertThat(seen).contains(Outcome.WRITTEN);
            assertThat(seen.get(seen.size() - 1)).isEqualTo(Outcome.REJECTED);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    conn.node().metrics().getSampleValue("longlink_conn_slow_reader_closes_total") == closes + 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.session("slow") == null);
            assertThat(conn.router().deliver(conn.router().nextBatch(), TestRouter.delivery(conn.app().key(), "slow",
                    ack.getSessionId(), TestRouter.push(id, "x")))).containsExactly(Outcome.NOT_HERE);
        }
    }

    @Test
    void deliver_whenManyBatchesPipelined_thenOneResultPerBatchInBatchOrder() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress());
             TestRouter own = new TestRouter(conn.node().grpcPort())) {
            ConnAck ack = d.loginLive(conn.node(), conn.app(), "pipelined");
            int batches = 40; // far more than the window of 2: the stream paces the router
            for (int i = 1; i <= batches; i++) {
                own.send(i, List.of(TestRouter.delivery(conn.app().key(), "pipelined", ack.getSessionId(),
                        TestRouter.push(5_000 + i, "b" + i)), TestRouter.delivery(conn.app().key(), "absent", "",
                        TestRouter.push(9_000 + i, "x"))));
            }
            for (int i = 1; i <= batches; i++) {
                DeliveryResult r = own.nextResult();
                assertThat(r.getBatchId()).isEqualTo(i);
                assertThat(r.getOutcomesList()).containsExactly(Outcome.WRITTEN, Outcome.NOT_HERE);
            }
            for (int i = 1; i <= batches; i++) {
                assertThat(d.read().push().getMessageId()).isEqualTo(5_000 + i);
            }
        }
    }

    @Test
    void deliver_whenBatchEmpty_thenEmptyResult() throws Exception {
        long id = conn.router().nextBatch();
        conn.router().send(id, List.of());
        DeliveryResult r = conn.router().nextResult();
        assertThat(r.getBatchId()).isEqualTo(id);
        assertThat(r.getOutcomesList()).isEmpty();
    }

    @Test
    void kick_whenConnectionIdMatches_thenClosedWithKick_elseNotKicked() throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.loginLive(conn.node(), conn.app(), "kickme");
            String other = Long.toHexString(Long.parseUnsignedLong(ack.getSessionId(), 16) + 1);
            assertThat(conn.router().blocking().kick(KickRequest.newBuilder().setAppKey(conn.app().key())
                    .setDeviceId("kickme").setConnectionId(other).build()).getKicked()).isFalse();
            assertThat(conn.router().blocking().kick(KickRequest.newBuilder().setAppKey(conn.app().key())
                    .setDeviceId("kickme").setConnectionId(ack.getSessionId()).setReason("test").build()).getKicked())
                    .isTrue();
            List<TestDevice.Frame> frames = d.readUntilClosed(Duration.ofSeconds(5));
            assertThat(frames).extracting(TestDevice.Frame::frameType).containsExactly(FrameType.KICK, FrameType.ERROR);
            assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
        }
    }

    @Test
    void kick_whenFieldsMissing_thenInvalidArgument() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> conn.router().blocking().kick(KickRequest.newBuilder()
                        .setAppKey(conn.app().key()).build()))
                .isInstanceOf(io.grpc.StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("connection_id");
    }
}
