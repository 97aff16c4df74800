package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Store-and-forward: drain on CONNECT (in order, before live traffic), expiry, ACK counted once. */
@ExtendWith(Infra.class)
class InboxIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("inbox-it")
            .with(ConnSettings.INBOX_PAGE, 50)
            .withSendBuffer(4096, 2048, 8192);

    private static long nextId = 1_700_000_000_000L;

    private static synchronized long id() {
        return nextId += 1000;
    }

    /** Stores a new message in the device's inbox, as a router does for an offline device; returns its id. */
    private static long store(String device, String payload) {
        long id = id();
        store(device, TestRouter.push(id, payload));
        return id;
    }

    private static void store(String device, Push p) {
        conn.redis().storeInInbox(conn.app().key(), device, p, 60_000);
    }

    /**
     * Stores ~500 KB of messages, 4 KB each, in the device's inbox: a catch-up of them stalls on a
     * socket the device does not read yet. Returns their ids, in order.
     */
    private static List<Long> storeMoreThanASocketHolds(String device) {
        String payload = "x".repeat(4096);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            ids.add(store(device, payload));
        }
        return ids;
    }

    private static TestDevice login(String device) throws Exception {
        TestDevice d = TestDevice.connect(conn.node().deviceAddress());
        d.loginOk(conn.app().connectFrame(device, 60));
        return d;
    }

    /**
     * Reads the next {@code n} PUSH frames (skipping PONGs), then checks with a PING round trip that
     * no further PUSH follows them.
     */
    private static List<Long> pushes(TestDevice d, int n) throws Exception {
        List<Long> ids = d.readPushIds(n);
        d.ping();
        TestDevice.Frame next = d.read();
        assertThat(next.frameType()).as("frame after the expected pushes").isEqualTo(FrameType.PONG);
        return ids;
    }

    @Test
    void connect_whenInboxHasMessages_thenDrainedInOrderAndExpiredOnesRemovedAndCounted() throws Exception {
        String device = "offline-1";
        long a = store(device, "a");
        long b = store(device, "b");
        long gone = id();
        // the status outlives the body (api.status-retention-seconds)
        conn.redis().createStat(gone, conn.app().key(), false);
        conn.redis().addToInbox(conn.app().key(), device, gone); // body expired: member without body
        long c = store(device, "c");
        long stale = id();
        conn.redis().createStat(stale, conn.app().key(), false);
        store(device, TestRouter.push(stale, "stale").toBuilder()
                .setExpiresAtMs(System.currentTimeMillis() - 1).build());
        TestRedis.await(conn.redis().commands().zadd(RedisKeys.inbox(conn.app().key(), device), 0,
                "not-an-id".getBytes(StandardCharsets.US_ASCII)));

        try (TestDevice d = login(device)) {
            assertThat(pushes(d, 3)).containsExactly(a, b, c);
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.redis().inbox(conn.app().key(), device).size() == 3);
            assertThat(conn.redis().inbox(conn.app().key(), device)).containsExactly(RedisKeys.inboxMember(a),
                    RedisKeys.inboxMember(b), RedisKeys.inboxMember(c));
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(gone, "expired")));
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(stale, "expired")));
        }
    }

    @Test
    void connect_whenInboxEntryWasRevoked_thenRemovedAndCountedRevokedNotExpired() throws Exception {
        String device = "revoked-1";
        long withdrawn = id();
        conn.redis().createStat(withdrawn, conn.app().key(), true); // Revoke set revoked_ms and left the tombstone
        conn.redis().addToInbox(conn.app().key(), device, withdrawn);
        long kept = store(device, "kept");
        try (TestDevice d = login(device)) {
            assertThat(pushes(d, 1)).containsExactly(kept);
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(withdrawn, "revoked")));
            assertThat(conn.redis().stat(withdrawn, "expired")).isNull();
            assertThat(conn.redis().inbox(conn.app().key(), device)).containsExactly(RedisKeys.inboxMember(kept));
        }
    }

    @Test
    void connect_whenStatusHashAlreadyExpired_thenEntryRemovedWithoutRecreatingIt() throws Exception {
        String device = "ancient";
        long old = id();
        conn.redis().addToInbox(conn.app().key(), device, old); // body and status both past their retention
        double noStatus = conn.metric("longlink_conn_undelivered_total", "counted", "no_status");
        try (TestDevice d = login(device)) {
            assertThat(pushes(d, 0)).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    conn.metric("longlink_conn_undelivered_total", "counted", "no_status") == noStatus + 1);
            assertThat(conn.redis().inbox(conn.app().key(), device)).isEmpty();
            assertThat(conn.redis().exists(RedisKeys.stat(old))).isFalse();
        }
    }

    @Test
    void ack_whenIdsAcked_thenRemovedFromInboxAndCountedOnceEvenIfRepeated() throws Exception {
        String device = "acker";
        long a = store(device, "a");
        long b = store(device, "b");
        try (TestDevice d = login(device)) {
            assertThat(pushes(d, 2)).containsExactly(a, b);
            double acked = conn.metric("longlink_conn_acked_total");
            d.ack(a);
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(a, "acked")));
            assertThat(conn.redis().inbox(conn.app().key(), device)).containsExactly(RedisKeys.inboxMember(b));

            double ids = conn.metric("longlink_conn_ack_ids_total");
            d.ack(a, a); // duplicates (e.g. an ACK resent after a reconnect)
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.metric("longlink_conn_ack_ids_total") == ids + 2);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> "1".equals(conn.redis().stat(a, "acked")));
            assertThat(conn.metric("longlink_conn_acked_total")).isEqualTo(acked + 1);
            assertThat(conn.redis().stat(b, "acked")).isNull();
        }
        // b was not acked: it comes again on the next CONNECT (at-least-once)
        try (TestDevice d = login(device)) {
            assertThat(pushes(d, 1)).containsExactly(b);
        }
    }

    @Test
    void connect_whenInboxLongerThanOnePage_thenEveryPageDrainedInOrder() throws Exception {
        String device = "many";
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            expected.add(store(device, "m" + i));
        }
        try (TestDevice d = login(device)) {
            assertThat(pushes(d, expected.size())).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void deliver_whenLiveMessagesArriveDuringDrain_thenWrittenAfterTheInboxAndDrainedOnesNotRepeated() throws Exception {
        String device = "busy";
        List<Long> inbox = storeMoreThanASocketHolds(device);
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress(), 4096);
             TestRouter router = new TestRouter(conn.node().grpcPort())) {
            ConnAck ack = d.loginOk(conn.app().connectFrame(device, 60));
            // the router's view: a newer message, stored first (so the drain may find it too), then delivered live
            Push livePush = TestRouter.push(id(), "live");
            store(device, livePush);
            Push duplicate = TestRouter.push(inbox.get(0), "x".repeat(4096)); // a drained message delivered again
            List<Outcome> outcomes = router.deliver(1,
                    TestRouter.delivery(conn.app().key(), device, ack.getSessionId(), duplicate),
                    TestRouter.delivery(conn.app().key(), device, ack.getSessionId(), livePush));
            assertThat(outcomes).containsExactly(Outcome.WRITTEN, Outcome.WRITTEN); // held behind the drain
            List<Long> expected = new ArrayList<>(inbox);
            expected.add(livePush.getMessageId());
            assertThat(pushes(d, expected.size())).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void connect_whenPositionsDisagreeWithIds_thenDrainedInAcceptanceOrderAcrossPages() throws Exception {
        String device = "two-clocks";
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            ids.add(id());
        }
        // accepted newest id first, as when api-nodes' clocks differ: positions run against the ids
        List<Long> accepted = ids.reversed();
        for (long id : accepted) {
            store(device, TestRouter.push(id, "m"));
        }
        try (TestDevice d = login(device)) {
            assertThat(pushes(d, accepted.size())).containsExactlyElementsOf(accepted);
        }
    }

    @Test
    void connect_whenEntryStoredWhileTheDrainRuns_thenDrainedAfterTheEarlierOnesWhateverItsId() throws Exception {
        String device = "growing";
        List<Long> expected = new ArrayList<>(storeMoreThanASocketHolds(device));
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress(), 4096)) {
            d.loginOk(conn.app().connectFrame(device, 60));
            long lowId = 123_457L; // lower than every id above, stored last: its position is the highest
            store(device, TestRouter.push(lowId, "late"));
            expected.add(lowId);
            assertThat(pushes(d, expected.size())).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void connect_whenEntriesStoredBeforePositionsExist_thenDrainedBeforeTheNewOnesAcrossPages() throws Exception {
        String device = "upgraded";
        List<Long> legacy = new ArrayList<>();
        for (int i = 0; i < 70; i++) { // all at score 0, as before positions: more than one page of 50
            long id = id();
            conn.redis().storeMessage(TestRouter.push(id, "old"), 60_000);
            conn.redis().addToInboxAt(conn.app().key(), device, id, 0);
            legacy.add(id);
        }
        long fresh = store(device, "new");
        List<Long> expected = new ArrayList<>(legacy);
        expected.add(fresh);
        try (TestDevice d = login(device)) {
            assertThat(pushes(d, expected.size())).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void connect_whenLastMessageIdHintGiven_thenStillDeliversEveryInboxEntryAndCountsRedelivery() throws Exception {
        String device = "hinted";
        long a = store(device, "a");
        long b = store(device, "b");
        double redelivered = conn.metric("longlink_conn_inbox_redelivered_total");
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginOk(conn.app().connectFrame(device, 60).toBuilder().setLastMessageId(a).build());
            assertThat(pushes(d, 2)).containsExactly(a, b);
        }
        assertThat(conn.metric("longlink_conn_inbox_redelivered_total")).isEqualTo(redelivered + 1);
    }
}
