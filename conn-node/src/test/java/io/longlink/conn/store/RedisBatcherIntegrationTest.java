package io.longlink.conn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.conn.inbox.Inbox;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.receipt.ReceiptSink;
import io.longlink.conn.route.RouteRenewal;
import io.longlink.conn.route.RouteStore;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import io.prometheus.client.CollectorRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node-wide Redis batch queue under one device's ACK flood, against a real Redis: the batcher
 * thread is held so that the queue fills, as it does when the flood outruns it.
 */
@ExtendWith(Infra.class)
class RedisBatcherIntegrationTest {
    private static final String APP = "batch-app";
    /** 64 commands: 48 shared, 16 reserved for route renewals and deletes and log positions. */
    private static final int CAPACITY = 64;

    private final CollectorRegistry registry = new CollectorRegistry();
    private final ConnMetrics metrics = new ConnMetrics(registry, () -> 0, () -> 0);
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private RedisStore redis;
    private RedisBatcher batcher;

    @BeforeEach
    void start(RedisServer server) {
        server.flushAll();
        redis = RedisStore.open(server.uri(), false, 5_000);
        batcher = new RedisBatcher(RedisStore.open(server.uri(), false, 5_000), CAPACITY, 512, metrics);
    }

    @AfterEach
    void stop() {
        release.countDown();
        batcher.close();
        redis.close();
    }

    /** Holds the batcher thread until {@link #release}, so what is offered meanwhile stays queued. */
    private void holdBatcher() throws InterruptedException {
        batcher.offer(new BatchOp() {
            @Override
            public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public String kind() {
                return "hold";
            }
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private double dropped(String op) {
        Double v = registry.getSampleValue("longlink_conn_redis_batch_dropped_total", new String[] {"op"},
                new String[] {op});
        return v == null ? 0 : v;
    }

    private void store(String device, long... ids) throws Exception {
        for (long id : ids) {
            redis.async().zadd(RedisKeys.inbox(APP, device), id,
                    RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII)).toCompletableFuture().get();
        }
    }

    private long inboxSize(String device) throws Exception {
        return redis.async().zcard(RedisKeys.inbox(APP, device)).toCompletableFuture().get();
    }

    @Test
    void ackFlood_whenQueueFull_thenOtherDevicesRenewalQueuedAndTheirAckWaitsInsteadOfDropped() throws Exception {
        Inbox inbox = new Inbox(redis.async(), batcher, ReceiptSink.NONE, metrics);
        RouteStore routes = new RouteStore(redis.async(), batcher, 60_000, metrics);
        String routeKey = RedisKeys.route(APP, "other");
        String routeValue = RedisKeys.routeValue("node-a", "0000000000000001");
        redis.async().set(routeKey, routeValue.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get();
        store("flooder", LongStream.rangeClosed(1, 200).toArray());
        store("other", 7);
        holdBatcher();

        AtomicInteger flooderResumed = new AtomicInteger();
        int flooderParked = 0;
        for (int i = 0; i < 10; i++) { // 10 ACKs of 20 ids: 2 fit in the shared 48, 8 wait
            long[] ids = LongStream.rangeClosed(i * 20L + 1, i * 20L + 20).toArray();
            if (!inbox.ack(APP, "flooder", ids, flooderResumed::incrementAndGet)) {
                flooderParked++;
            }
        }
        assertThat(flooderParked).isEqualTo(8);
        CompletionStage<RouteRenewal> renewal = routes.renew(routeKey, routeValue);
        CountDownLatch otherQueued = new CountDownLatch(1);
        assertThat(inbox.ack(APP, "other", new long[] {7}, otherQueued::countDown)).as("queued at once").isFalse();

        release.countDown();
        assertThat(renewal.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(RouteRenewal.RENEWED);
        assertThat(otherQueued.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> inboxSize("other") == 0 && inboxSize("flooder") == 0);
        assertThat(flooderResumed).hasValue(8);
        assertThat(dropped("ack")).isZero();
        assertThat(dropped("route_renew")).isZero();
    }

    @Test
    void reservedShare_whenSharedOpsFillTheirShare_thenRenewalsStillFitAndSharedOpsAreDropped() throws Exception {
        RouteStore routes = new RouteStore(redis.async(), batcher, 60_000, metrics);
        holdBatcher();
        int taken = 0;
        for (int i = 0; i < CAPACITY; i++) {
            if (batcher.offer(new StatOp())) {
                taken++;
            }
        }
        // the held op (unanswered) keeps one command of the shared 48
        assertThat(taken).isEqualTo(47);
        assertThat(dropped("stat")).isEqualTo(CAPACITY - 47);
        for (int i = 0; i < 16; i++) {
            assertThat(routes.renew(RedisKeys.route(APP, "d" + i), "v").toCompletableFuture()).as("queued").isNotDone();
        }
        assertThat(dropped("route_renew")).isZero();
        assertThat(routes.renew(RedisKeys.route(APP, "one-too-many"), "v").toCompletableFuture().get())
                .isEqualTo(RouteRenewal.NOT_SENT);
        assertThat(dropped("route_renew")).isEqualTo(1);
    }

    @Test
    void capacity_whenIssuedOpsAwaitTheirReplies_thenTheyStillCountSoInFlightCommandsStayBounded() throws Exception {
        // a Redis slower than the flood: commands sent but unanswered must not pile up without bound
        CompletableFuture<Void> replies = new CompletableFuture<>();
        AtomicInteger issued = new AtomicInteger();
        for (int i = 0; i < 48; i++) {
            assertThat(batcher.offer(new AwaitingOp(replies, issued))).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> issued.get() == 48);

        assertThat(batcher.offer(new StatOp())).as("the shared share is still taken").isFalse();
        assertThat(dropped("stat")).isEqualTo(1);

        replies.complete(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.offer(new StatOp()));
    }

    /** An op whose reply comes only when {@code reply} completes. */
    private record AwaitingOp(CompletableFuture<Void> reply, AtomicInteger issued) implements BatchOp {
        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            issued.incrementAndGet();
            return reply;
        }

        @Override
        public String kind() {
            return "awaiting";
        }
    }

    private static final class StatOp implements BatchOp {
        @Override
        public CompletionStage<?> issue(RedisClusterAsyncCommands<String, byte[]> r) {
            return r.incr("batch-it:stat");
        }

        @Override
        public String kind() {
            return "stat";
        }
    }
}
