package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.proto.internal.TagFilter;
import io.longlink.testsupport.Infra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Broadcast-log replay on CONNECT: tag and broadcast pushes logged while a device was offline
 * reach it once, in log order, merged with its inbox, and ll:seen (a log position) keeps the next
 * CONNECT from replaying what the device acknowledged. Pages of 2 (inbox and log) make every merge
 * cross pages.
 */
@ExtendWith(Infra.class)
class BroadcastReplayIntegrationTest {
    private static final int REPLAY_MAX = 6;

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("replay-it")
            .with(ConnSettings.INBOX_PAGE, 2)
            .with(ConnSettings.REPLAY_PAGE, 2)
            .with(ConnSettings.REPLAY_MAX, REPLAY_MAX);

    private static long nextId = 1_800_000_000_000L;
    private static long nextSentinel = 9_000_000_000_000_000L;

    private static synchronized long id() {
        return nextId += 1000;
    }

    private static synchronized long sentinel() {
        return ++nextSentinel;
    }

    /** A tag or broadcast push in the app's log: its id and its log position. */
    private record Logged(long id, long position) {
        String seen() {
            return Long.toString(position);
        }
    }

    private static Logged broadcast(TestRedis.App app, TagFilter filter) {
        Push p = TestRouter.push(id(), "bcast");
        return new Logged(p.getMessageId(), conn.redis().logBroadcast(app.key(), p, filter, 60_000));
    }

    /** A message id whose timestamp bits say {@code msAgo} before now (ids: 41-bit ms since 2024 | 22 bits). */
    private static long idFromAgo(long msAgo) {
        return ((System.currentTimeMillis() - msAgo - 1_704_067_200_000L) << 22) | (sentinel() & 0x3F_FFFF);
    }

    private static ConnAck login(TestDevice d, TestRedis.App app, String device, long lastMessageId) throws Exception {
        return d.loginOk(app.connectFrame(device, 60).toBuilder().setLastMessageId(lastMessageId).build());
    }

    /**
     * Everything the CONNECT catch-up writes: a live push delivered right after CONNACK is held
     * until the catch-up ends and then written, so the pushes before it are exactly the catch-up.
     */
    private static List<Long> catchUp(TestDevice d, TestRedis.App app, String device, ConnAck ack) throws Exception {
        long end = sentinel();
        assertThat(conn.router().deliver(end, TestRouter.delivery(app.key(), device, ack.getSessionId(),
                TestRouter.push(end, "end")))).containsExactly(Outcome.WRITTEN);
        List<Long> ids = new ArrayList<>();
        while (true) {
            TestDevice.Frame f = d.read();
            if (f.frameType() != FrameType.PUSH) {
                continue;
            }
            long id = f.push().getMessageId();
            if (id == end) {
                return ids;
            }
            ids.add(id);
        }
    }

    private static List<Long> connectAndCatchUp(TestDevice d, TestRedis.App app, String device) throws Exception {
        return catchUp(d, app, device, login(d, app, device, 0));
    }

    /** A device that connects, catches up and goes without an ACK: the ids it was sent. */
    private static List<Long> catchUpWithoutAck(TestRedis.App app, String device) throws Exception {
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            return connectAndCatchUp(d, app, device);
        }
    }

    @Test
    void connect_whenBroadcastLoggedBeforeConnect_thenDeliveredOnceAndSeenMovesOnAck() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        Logged b = broadcast(app, null);
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "late")).containsExactly(b.id());
            assertThat(conn.redis().seen(app.key(), "late")).as("not moved before the ACK").isNull();
            d.ack(b.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> b.seen().equals(conn.redis().seen(app.key(), "late")));
        }
    }

    @Test
    void connect_whenEntriesFilteredByTag_thenOnlyMatchingDevicesGetThem() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        conn.redis().addTags(app.key(), "vip-phone", "vip", "beta");
        Logged vip = broadcast(app, TagFilter.newBuilder().addAnyOf("vip").build());
        Logged notVip = broadcast(app, TagFilter.newBuilder().addNoneOf("vip").build());
        Logged vipBeta = broadcast(app, TagFilter.newBuilder().addAllOf("vip").addAllOf("beta").build());
        Logged everyone = broadcast(app, null);
        try (TestDevice v = TestDevice.connect(conn.node().deviceAddress());
             TestDevice plain = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(connectAndCatchUp(v, app, "vip-phone")).containsExactly(vip.id(), vipBeta.id(), everyone.id());
            assertThat(connectAndCatchUp(plain, app, "plain-phone")).containsExactly(notVip.id(), everyone.id());
        }
    }

    @Test
    void connect_whenNothingMatches_thenSeenMovesAtOnce() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        Logged vip = broadcast(app, TagFilter.newBuilder().addAnyOf("vip").build());
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "untagged")).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> vip.seen().equals(conn.redis().seen(app.key(), "untagged")));
        }
    }

    @Test
    void reconnect_whenReplayAcked_thenNotReplayedAgain_andWhenNotAcked_thenReplayedAgain() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        Logged first = broadcast(app, null);
        assertThat(catchUpWithoutAck(app, "returning")).containsExactly(first.id());
        // gone without ACK: at-least-once, so it comes again
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "returning")).containsExactly(first.id());
            d.ack(first.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.redis().seen(app.key(), "returning") != null);
        }
        Logged second = broadcast(app, null);
        assertThat(catchUpWithoutAck(app, "returning")).containsExactly(second.id());
    }

    @Test
    void connect_whenBodiesExpiredOrRevoked_thenSkippedAndCountedRevokedOrExpired() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        long expired = id();
        conn.redis().createStat(expired, app.key(), false);
        conn.redis().logEntry(app.key(), expired, new byte[0]); // body gone with its TTL
        long revoked = id();
        conn.redis().createStat(revoked, app.key(), true);
        conn.redis().logEntry(app.key(), revoked, new byte[0]); // body replaced by Revoke's tombstone
        Logged live = broadcast(app, null);
        long stale = id();
        conn.redis().createStat(stale, app.key(), false);
        conn.redis().logBroadcast(app.key(), TestRouter.push(stale, "stale").toBuilder()
                .setExpiresAtMs(System.currentTimeMillis() - 1).build(), null, 60_000);
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "skipper")).containsExactly(live.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(revoked, "revoked")));
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(expired, "expired")));
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(stale, "expired")));
            assertThat(conn.redis().stat(revoked, "expired")).isNull();
            assertThat(conn.redis().stat(expired, "revoked")).isNull();
        }
    }

    @Test
    void connect_whenInboxAndLogInterleave_thenOneStreamInTimeOrderWithCommonIdsOnce() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        String device = "merged";
        // a millisecond apart at least: the merge compares the ids' timestamps, not the ids
        long a = idFromAgo(6_000);
        long b = idFromAgo(5_000);
        long c = idFromAgo(4_000);
        long both = idFromAgo(3_000);
        long e = idFromAgo(2_000);
        long f = idFromAgo(1_000);
        long lastPosition = 0;
        for (long logged : new long[] {a, c, both, f}) {
            lastPosition = conn.redis().logBroadcast(app.key(), TestRouter.push(logged, "log"), null, 60_000);
        }
        String seenAtTheEnd = Long.toString(lastPosition);
        for (long stored : new long[] {b, both, e}) { // a tag push stored for this device too
            conn.redis().storeMessage(TestRouter.push(stored, "inbox"), 60_000);
            conn.redis().addToInbox(app.key(), device, stored);
        }
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, device)).containsExactly(a, b, c, both, e, f);
            d.ack(a, b, c, both, e, f);
            await().atMost(Duration.ofSeconds(5)).until(() -> seenAtTheEnd.equals(conn.redis().seen(app.key(), device)));
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.redis().inbox(app.key(), device).isEmpty());
        }
    }

    @Test
    void connect_whenSeenHoldsALogPosition_thenReplayStartsAfterIt() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        broadcast(app, null);
        Logged caughtUp = broadcast(app, null);
        Logged newer = broadcast(app, null);
        conn.redis().setSeen(app.key(), "positioned", caughtUp.position());
        assertThat(catchUpWithoutAck(app, "positioned")).containsExactly(newer.id());
    }

    @Test
    void connect_whenLogPositionsDisagreeWithIds_thenReplayedInLogOrderAcrossPages() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(id());
        }
        // appended newest id first, as when api-nodes' clocks differ: positions run against the ids
        List<Long> appended = ids.reversed();
        for (long id : appended) {
            conn.redis().logBroadcast(app.key(), TestRouter.push(id, "log"), null, 60_000);
        }
        assertThat(catchUpWithoutAck(app, "log-order")).containsExactlyElementsOf(appended);
    }

    @Test
    void connect_whenNoSeen_thenWholeLogReplayedSkippingOnlyIdsOlderThanTheHintBeyondTheSkew() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        long tooOld = idFromAgo(300_000);
        long withinSkew = idFromAgo(70_000); // older than the hint, by less than conn.replay-skew-ms (60 s)
        long newer = idFromAgo(1_000);
        for (long id : new long[] {tooOld, withinSkew, newer}) {
            conn.redis().logBroadcast(app.key(), TestRouter.push(id, "log"), null, 60_000);
        }
        long hint = idFromAgo(20_000);
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = login(d, app, "hinted", hint);
            assertThat(catchUp(d, app, "hinted", ack)).containsExactly(withinSkew, newer);
        }
    }

    @Test
    void connect_whenLogLongerThanReplayMax_thenTheRestFollowsOnTheSameConnection() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        List<Long> logged = new ArrayList<>();
        long lastPosition = 0;
        for (int i = 0; i < 2 * REPLAY_MAX + 2; i++) {
            Logged b = broadcast(app, null);
            logged.add(b.id());
            lastPosition = b.position();
        }
        String seenAtTheEnd = Long.toString(lastPosition);
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            login(d, app, "long-gone", 0);
            assertThat(d.readPushIds(logged.size())).containsExactlyElementsOf(logged);
            d.ack(logged.get(logged.size() - 1));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> seenAtTheEnd.equals(conn.redis().seen(app.key(), "long-gone")));
        }
        assertThat(catchUpWithoutAck(app, "long-gone")).isEmpty();
    }

    @Test
    void connect_whenLogEntryUnreadable_thenSkippedAndTheRestDelivered() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        long garbled = id();
        conn.redis().storeMessage(TestRouter.push(garbled, "x"), 60_000);
        conn.redis().logEntry(app.key(), garbled, new byte[] {(byte) 0xFF, (byte) 0xFF}); // not a TagFilter
        long noFilter = id();
        conn.redis().storeMessage(TestRouter.push(noFilter, "y"), 60_000);
        TestRedis.await(conn.redis().commands().zadd(RedisKeys.broadcastLog(app.key()), 0,
                RedisKeys.inboxMember(noFilter).getBytes(StandardCharsets.US_ASCII)));
        TestRedis.await(conn.redis().commands().zadd(RedisKeys.broadcastLog(app.key()), 0,
                "not-an-id".getBytes(StandardCharsets.US_ASCII)));
        Logged fine = broadcast(app, null);
        assertThat(catchUpWithoutAck(app, "robust")).containsExactly(fine.id());
    }

    @Test
    void connect_whenRedisLostItsScriptCache_thenReplayStillWorks() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        Logged b = broadcast(app, null);
        TestRedis.await(conn.redis().commands().scriptFlush()); // a restart or failover empties the cache
        assertThat(catchUpWithoutAck(app, "after-flush")).containsExactly(b.id());
    }
}
