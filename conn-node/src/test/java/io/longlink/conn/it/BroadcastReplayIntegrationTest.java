package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Outcome;
import io.longlink.proto.internal.TagFilter;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Broadcast-log replay on CONNECT: tag and broadcast pushes logged while a device was offline
 * reach it once, merged with its inbox in id order, and ll:seen keeps the next CONNECT from
 * replaying what the device acknowledged. Pages of 2 (inbox and log) make every merge cross pages.
 */
@ExtendWith(Infra.class)
class BroadcastReplayIntegrationTest {
    private static final int REPLAY_MAX = 6;
    @AutoClose
    private static ConnNode node;
    @AutoClose
    private static TestRedis redis;
    @AutoClose
    private static TestRouter router;
    private static long nextId = 1_800_000_000_000L;
    private static long nextSentinel = 9_000_000_000_000_000L;

    @BeforeAll
    static void start(RedisServer redisServer, TestingServer zk) throws Exception {
        redis = new TestRedis(redisServer.uri(), false);
        node = TestNodes.on(redisServer.uri(), zk, "replay-it")
                .set(ConnSettings.INBOX_PAGE, 2)
                .set(ConnSettings.REPLAY_PAGE, 2)
                .set(ConnSettings.REPLAY_MAX, REPLAY_MAX)
                .start();
        router = new TestRouter(node.grpcPort());
    }


    private static synchronized long id() {
        return nextId += 1000;
    }

    private static synchronized long sentinel() {
        return ++nextSentinel;
    }

    private static Push broadcast(TestRedis.App app, TagFilter filter) {
        Push p = TestRouter.push(id(), "bcast");
        redis.logBroadcast(app.key(), p, filter, 60_000);
        return p;
    }

    private static ConnAck login(TestDevice d, TestRedis.App app, String device, long lastMessageId) throws Exception {
        Connect c = TestDevice.connectFrame(app.key(), device, app.token(device), 60).toBuilder()
                .setLastMessageId(lastMessageId).build();
        ConnAck ack = d.login(c);
        assertThat(ack.getCode()).isEqualTo(ErrorCode.OK);
        return ack;
    }

    /**
     * Everything the CONNECT catch-up writes: a live push delivered right after CONNACK is held
     * until the catch-up ends and then written, so the pushes before it are exactly the catch-up.
     */
    private static List<Long> catchUp(TestDevice d, TestRedis.App app, String device, ConnAck ack) throws Exception {
        long end = sentinel();
        assertThat(router.deliver(end, TestRouter.delivery(app.key(), device, ack.getSessionId(),
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

    @Test
    void connect_whenBroadcastLoggedBeforeConnect_thenDeliveredOnceAndSeenMovesOnAck() throws Exception {
        TestRedis.App app = redis.newApp();
        Push b = broadcast(app, null);
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "late")).containsExactly(b.getMessageId());
            assertThat(redis.seen(app.key(), "late")).as("not moved before the ACK").isNull();
            d.ack(b.getMessageId());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> RedisKeys.inboxMember(b.getMessageId()).equals(redis.seen(app.key(), "late")));
        }
    }

    @Test
    void connect_whenEntriesFilteredByTag_thenOnlyMatchingDevicesGetThem() throws Exception {
        TestRedis.App app = redis.newApp();
        redis.addTags(app.key(), "vip-phone", "vip", "beta");
        Push vip = broadcast(app, TagFilter.newBuilder().addAnyOf("vip").build());
        Push notVip = broadcast(app, TagFilter.newBuilder().addNoneOf("vip").build());
        Push vipBeta = broadcast(app, TagFilter.newBuilder().addAllOf("vip").addAllOf("beta").build());
        Push everyone = broadcast(app, null);
        try (TestDevice v = TestDevice.connect(node.deviceAddress());
             TestDevice plain = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(v, app, "vip-phone"))
                    .containsExactly(vip.getMessageId(), vipBeta.getMessageId(), everyone.getMessageId());
            assertThat(connectAndCatchUp(plain, app, "plain-phone"))
                    .containsExactly(notVip.getMessageId(), everyone.getMessageId());
        }
    }

    @Test
    void connect_whenNothingMatches_thenSeenMovesAtOnce() throws Exception {
        TestRedis.App app = redis.newApp();
        Push vip = broadcast(app, TagFilter.newBuilder().addAnyOf("vip").build());
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "untagged")).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    RedisKeys.inboxMember(vip.getMessageId()).equals(redis.seen(app.key(), "untagged")));
        }
    }

    @Test
    void reconnect_whenReplayAcked_thenNotReplayedAgain_andWhenNotAcked_thenReplayedAgain() throws Exception {
        TestRedis.App app = redis.newApp();
        Push first = broadcast(app, null);
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "returning")).containsExactly(first.getMessageId());
        } // gone without ACK: at-least-once, so it comes again
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "returning")).containsExactly(first.getMessageId());
            d.ack(first.getMessageId());
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.seen(app.key(), "returning") != null);
        }
        Push second = broadcast(app, null);
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "returning")).containsExactly(second.getMessageId());
        }
    }

    @Test
    void connect_whenBodiesExpiredOrRevoked_thenSkippedAndCountedRevokedOrExpired() throws Exception {
        TestRedis.App app = redis.newApp();
        long expired = id();
        redis.createStat(expired, app.key(), false);
        redis.logEntry(app.key(), expired, new byte[0]); // body gone with its TTL
        long revoked = id();
        redis.createStat(revoked, app.key(), true);
        redis.logEntry(app.key(), revoked, new byte[0]); // body replaced by Revoke's tombstone
        Push live = broadcast(app, null);
        long stale = id();
        redis.createStat(stale, app.key(), false);
        redis.logBroadcast(app.key(), TestRouter.push(stale, "stale").toBuilder()
                .setExpiresAtMs(System.currentTimeMillis() - 1).build(), null, 60_000);
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "skipper")).containsExactly(live.getMessageId());
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(redis.stat(revoked, "revoked")));
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(redis.stat(expired, "expired")));
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(redis.stat(stale, "expired")));
            assertThat(redis.stat(revoked, "expired")).isNull();
            assertThat(redis.stat(expired, "revoked")).isNull();
        }
    }

    @Test
    void connect_whenInboxAndLogInterleave_thenOneIdOrderedStreamWithCommonIdsOnce() throws Exception {
        TestRedis.App app = redis.newApp();
        String device = "merged";
        long a = id();
        long b = id();
        long c = id();
        long both = id();
        long e = id();
        long f = id();
        for (long logged : new long[] {a, c, both, f}) {
            redis.logBroadcast(app.key(), TestRouter.push(logged, "log"), null, 60_000);
        }
        for (long stored : new long[] {b, both, e}) { // a tag push stored for this device too
            redis.storeMessage(TestRouter.push(stored, "inbox"), 60_000);
            redis.addToInbox(app.key(), device, stored);
        }
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, device)).containsExactly(a, b, c, both, e, f);
            d.ack(a, b, c, both, e, f);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> RedisKeys.inboxMember(f).equals(redis.seen(app.key(), device)));
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.inbox(app.key(), device).isEmpty());
        }
    }

    @Test
    void connect_whenNoSeenButLastMessageIdGiven_thenReplayStartsAfterIt() throws Exception {
        TestRedis.App app = redis.newApp();
        Push old = broadcast(app, null);
        Push newer = broadcast(app, null);
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            ConnAck ack = login(d, app, "hinted", old.getMessageId());
            assertThat(catchUp(d, app, "hinted", ack)).containsExactly(newer.getMessageId());
        }
    }

    @Test
    void connect_whenLogLongerThanReplayMax_thenRestComesWithTheNextConnect() throws Exception {
        TestRedis.App app = redis.newApp();
        List<Long> logged = new ArrayList<>();
        for (int i = 0; i < REPLAY_MAX + 2; i++) {
            logged.add(broadcast(app, null).getMessageId());
        }
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "long-gone")).containsExactlyElementsOf(logged.subList(0, REPLAY_MAX));
            d.ack(logged.get(REPLAY_MAX - 1));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    RedisKeys.inboxMember(logged.get(REPLAY_MAX - 1)).equals(redis.seen(app.key(), "long-gone")));
        }
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "long-gone")).containsExactlyElementsOf(logged.subList(REPLAY_MAX,
                    REPLAY_MAX + 2));
        }
    }

    @Test
    void connect_whenLogEntryUnreadable_thenSkippedAndTheRestDelivered() throws Exception {
        TestRedis.App app = redis.newApp();
        long garbled = id();
        redis.storeMessage(TestRouter.push(garbled, "x"), 60_000);
        redis.logEntry(app.key(), garbled, new byte[] {(byte) 0xFF, (byte) 0xFF}); // not a TagFilter
        long noFilter = id();
        redis.storeMessage(TestRouter.push(noFilter, "y"), 60_000);
        TestRedis.await(redis.commands().zadd(RedisKeys.broadcastLog(app.key()), 0,
                RedisKeys.inboxMember(noFilter).getBytes(StandardCharsets.US_ASCII)));
        TestRedis.await(redis.commands().zadd(RedisKeys.broadcastLog(app.key()), 0,
                "not-an-id".getBytes(StandardCharsets.US_ASCII)));
        Push fine = broadcast(app, null);
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "robust")).containsExactly(fine.getMessageId());
        }
    }

    @Test
    void connect_whenRedisLostItsScriptCache_thenReplayStillWorks() throws Exception {
        TestRedis.App app = redis.newApp();
        Push b = broadcast(app, null);
        TestRedis.await(redis.commands().scriptFlush()); // a restart or failover empties the cache
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            assertThat(connectAndCatchUp(d, app, "after-flush")).containsExactly(b.getMessageId());
        }
    }
}
