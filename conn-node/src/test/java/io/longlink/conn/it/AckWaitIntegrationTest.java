package io.longlink.conn.it;

import static io.longlink.conn.it.TestRouter.awaited;
import static io.longlink.conn.it.TestRouter.delivery;
import static io.longlink.conn.it.TestRouter.push;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DeliveryBatches with an ACK wait: copies the router has not stored are answered ACKED when the
 * device acknowledges them in time, WRITTEN when the wait ends first. Each wait below is far longer
 * than the time the test allows for an early answer, so an answer that came early came from an ACK.
 */
@ExtendWith(Infra.class)
class AckWaitIntegrationTest {
    private static final Duration LONG_WAIT = Duration.ofSeconds(8);
    private static final Duration EARLY = Duration.ofSeconds(4);

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("ack-wait-it");

    /** Sends one batch holding one awaited copy of message {@code id} for {@code device}; returns its id. */
    private static long sendAwaited(Duration wait, String device, long id) {
        long batch = conn.router().nextBatch();
        conn.router().send(batch, (int) wait.toMillis(),
                List.of(awaited(delivery(conn.app().key(), device, "", push(id, "m" + id)))));
        return batch;
    }

    /** Sends {@code id} to {@code device} as one awaited copy and reads it on {@code d}: the batch id. */
    private static long sendAwaitedAndRead(TestDevice d, Duration wait, String device, long id) throws Exception {
        long batch = sendAwaited(wait, device, id);
        assertThat(d.read().push().getMessageId()).isEqualTo(id);
        return batch;
    }

    private static double acked() {
        return conn.metric("longlink_conn_acked_total");
    }

    private static List<Outcome> answeredWithin(Duration within, long batchId) throws InterruptedException {
        DeliveryResult r = conn.router().nextResult(within);
        assertThat(r).as("result of batch %d within %s", batchId, within).isNotNull();
        assertThat(r.getBatchId()).isEqualTo(batchId);
        return r.getOutcomesList();
    }

    @Test
    void awaited_whenDeviceAcksInTime_thenAnsweredAckedAtOnceAndTheInboxUntouched() throws Exception {
        try (TestDevice d = conn.liveDevice("prompt")) {
            // an entry under the same id shows the in-time ACK removes nothing: such a copy was never stored
            conn.redis().addToInbox(conn.app().key(), "prompt", 101);
            double before = acked();
            long batch = sendAwaitedAndRead(d, LONG_WAIT, "prompt", 101);
            d.ack(101);

            assertThat(answeredWithin(EARLY, batch)).containsExactly(Outcome.ACKED);
            assertThat(conn.redis().inbox(conn.app().key(), "prompt")).containsExactly(RedisKeys.inboxMember(101));
            await().atMost(Duration.ofSeconds(5)).until(() -> acked() == before + 1);
        }
    }

    @Test
    void awaited_whenDeviceDoesNotAck_thenWrittenWhenTheWaitEndsAndTheLateAckRemovesTheStoredEntry() throws Exception {
        try (TestDevice d = conn.liveDevice("mute")) {
            long batch = sendAwaitedAndRead(d, Duration.ofMillis(300), "mute", 201);

            assertThat(answeredWithin(Duration.ofSeconds(5), batch)).containsExactly(Outcome.WRITTEN);
            conn.redis().addToInbox(conn.app().key(), "mute", 201); // what the router does with a WRITTEN copy
            d.ack(201);
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.redis().inbox(conn.app().key(), "mute").isEmpty());
        }
    }

    @Test
    void awaited_whenDeviceLeftACopyUnacked_thenItsNextCopyIsNotAwaitedUntilItAcksAgain() throws Exception {
        try (TestDevice d = conn.liveDevice("lagging")) {
            long first = sendAwaitedAndRead(d, Duration.ofMillis(200), "lagging", 301);
            assertThat(answeredWithin(Duration.ofSeconds(5), first)).containsExactly(Outcome.WRITTEN);

            // no ACK since: the node does not hold a batch for this device again
            long second = sendAwaitedAndRead(d, LONG_WAIT, "lagging", 302);
            assertThat(answeredWithin(EARLY, second)).containsExactly(Outcome.WRITTEN);

            // once it acknowledges again, its copies are awaited again
            d.ack(301, 302);
            d.pingPong(); // its PONG comes after the node handled the ACK
            long third = sendAwaitedAndRead(d, LONG_WAIT, "lagging", 303);
            d.ack(303);
            assertThat(answeredWithin(EARLY, third)).containsExactly(Outcome.ACKED);
        }
    }

    @Test
    void awaited_whenDeviceAcksAfterTheWaitBeforeTheRouterStoresIt_thenCountedOnceAndMarkedForTheRouter()
            throws Exception {
        try (TestDevice d = conn.liveDevice("late")) {
            conn.redis().createStat(601, conn.app().key(), false);
            long batch = sendAwaitedAndRead(d, Duration.ofMillis(50), "late", 601);
            assertThat(answeredWithin(EARLY, batch)).containsExactly(Outcome.WRITTEN);
            double before = acked();

            d.ack(601); // the router (this test) has not stored the copy: its inbox write must skip it
            String marker = RedisKeys.ackedBeforeStored(conn.app().key(), "late", RedisKeys.inboxMember(601));
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(601, "acked")));
            assertThat(TestRedis.await(conn.redis().commands().exists(marker))).isEqualTo(1L);
            assertThat(acked()).isEqualTo(before + 1);
        }
    }

    @Test
    void awaited_whenMixedWithPlainAndAbsentDevices_thenOneOutcomeEachInBatchOrder() throws Exception {
        try (TestDevice d = conn.liveDevice("mixed")) {
            long batch = conn.router().nextBatch();

            conn.router().send(batch, (int) LONG_WAIT.toMillis(), List.of(
                    awaited(delivery(conn.app().key(), "mixed", "", push(401, "f"))),
                    delivery(conn.app().key(), "mixed", "", push(402, "g")),
                    awaited(delivery(conn.app().key(), "nobody-here", "", push(403, "h")))));
            assertThat(d.read().push().getMessageId()).isEqualTo(401);
            assertThat(d.read().push().getMessageId()).isEqualTo(402);
            d.ack(401, 402);

            assertThat(answeredWithin(EARLY, batch)).containsExactly(Outcome.ACKED, Outcome.WRITTEN, Outcome.NOT_HERE);
        }
    }

    @Test
    void awaited_whenBatchAsksNoWait_thenAnsweredOnceWritten() throws Exception {
        try (TestDevice d = conn.liveDevice("nowait")) {
            long batch = sendAwaited(Duration.ZERO, "nowait", 501);

            assertThat(answeredWithin(EARLY, batch)).containsExactly(Outcome.WRITTEN);
            assertThat(d.read().push().getMessageId()).isEqualTo(501);
        }
    }

    @Test
    void awaited_whenConnectionClosesBeforeItsAck_thenWrittenWhenTheWaitEnds() throws Exception {
        TestDevice d = conn.liveDevice("dropper");
        long batch = sendAwaitedAndRead(d, Duration.ofMillis(500), "dropper", 601);
        d.close();

        assertThat(answeredWithin(Duration.ofSeconds(5), batch)).containsExactly(Outcome.WRITTEN);
    }
}
