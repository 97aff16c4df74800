package io.longlink.router;

import static io.longlink.router.Commands.id;
import static io.longlink.router.RouterHarness.WAIT;
import static io.longlink.router.RouterHarness.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.config.Setting;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisSettings;
import io.longlink.proto.command.PushCommand;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.KafkaCluster;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The router node as a Kafka consumer: its topics, when it commits, and what makes it route a batch
 * again.
 */
@ExtendWith(Infra.class)
class RouterNodeIntegrationTest {
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedServers();
    private KafkaCluster kafka;
    private TestingServer zk;

    @BeforeEach
    void setUp(TestingServer zkServer, KafkaCluster kafkaCluster) {
        kafka = kafkaCluster;
        zk = zkServer;
    }

    @Test
    void start_whenTopicsMissing_thenCreatedWithConfiguredPartitions() throws Exception {
        h.startRouter(Map.of());

        try (Admin admin = kafka.admin()) {
            var topics = admin.describeTopics(List.of(h.commandTopic, h.receiptTopic)).allTopicNames().get(10, TimeUnit.SECONDS);
            assertThat(topics.get(h.commandTopic).partitions()).hasSize(4);
            assertThat(topics.get(h.receiptTopic).partitions()).hasSize(2);
        }
    }

    @Test
    void start_whenAPreviousRouterWithTheSameIdIsStillRegistered_thenWaitsForItToGoAndRegistersBeforeJoining()
            throws Exception {
        String path = ZooKeeperPaths.node(RouterNode.ROLE, "router-again");
        // a router killed a moment ago: its ZooKeeper session has not expired yet
        CuratorFramework previous = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .namespace(h.namespace).retryPolicy(new RetryOneTime(100)).build();
        previous.start();
        previous.blockUntilConnected();
        previous.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path);
        long previousSession = previous.getZookeeperClient().getZooKeeper().getSessionId();
        h.createTopics();

        CompletableFuture<RouterNode> started = CompletableFuture.supplyAsync(() -> {
            try {
                return h.startRouter(Map.of(NodeSettings.NODE_ID, "router-again"));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> !started.isDone() && h.groupMembers() == 0);
        previous.close();

        RouterNode router = started.get(30, TimeUnit.SECONDS);
        Stat entry = h.zk.checkExists().forPath(path);
        assertThat(entry).isNotNull();
        assertThat(entry.getEphemeralOwner()).isNotEqualTo(previousSession);
        await().atMost(WAIT).until(router::isReady);
        assertThat(h.groupMembers()).isEqualTo(1);
    }

    @Test
    void ready_whenNoPartitionAssignmentReceivedYet_thenNotReadyUntilTheFirstOne() throws Exception {
        h.createTopics();
        try (KafkaConsumer<byte[], byte[]> member = h.groupMember()) {
            member.subscribe(List.of(h.commandTopic));
            await().atMost(WAIT).until(() -> {
                member.poll(Duration.ofMillis(100));
                return !member.assignment().isEmpty();
            });
            // this member stops polling: the rebalance the router's join starts waits for it
            RouterNode router = h.startRouter(Map.of());

            await().atMost(WAIT).until(() -> h.groupMembers() == 2);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !router.isReady());
            member.unsubscribe();

            await().atMost(WAIT).until(router::isReady);
        }
    }

    @Test
    void commits_whenBatchesFollowWithinTheInterval_thenOneLaterCommitClaimsThemAll() throws Exception {
        RouterNode router = h.startRouter(Map.of(RouterSettings.COMMIT_INTERVAL_MS, 10_000,
                RouterSettings.ACK_WAIT_MS, 0));
        PushCommand first = Commands.toDevices(h.appKey, 600, "away-1");
        h.publish(h.appKey + ":away-1", first);
        // the first batch is committed at once: no commit went out before it
        await().atMost(WAIT).until(() -> h.committed() == 1);

        PushCommand second = Commands.toDevices(h.appKey, 600, "away-2");
        PushCommand third = Commands.toDevices(h.appKey, 600, "away-3");
        h.publish(h.appKey + ":away-2", second);
        await().atMost(WAIT).until(() -> h.stat(id(second)).containsKey("stored"));
        h.publish(h.appKey + ":away-3", third);
        await().atMost(WAIT).until(() -> h.stat(id(third)).containsKey("stored"));

        // both are routed (in their inboxes) but the interval has not passed: not claimed yet
        assertThat(h.committed()).isEqualTo(1);
        // no further record arrives: the idle consumer commits them once the interval passed
        await().atMost(WAIT).until(() -> h.committed() == 3);
        assertThat(router.metrics().getSampleValue("longlink_router_offset_commits_total")).isEqualTo(2.0);
    }

    @Test
    void commit_whenAckWaitOffAndConnNodeHasNotAnswered_thenStoredButNotCommittedUntilItDoes() throws Exception {
        FakeConnNode slow = h.connNode("conn-slow");
        slow.hold = new CountDownLatch(1);
        h.startRouterLinked(Map.of(RouterSettings.DELIVER_TIMEOUT_MS, 60_000,
                RouterSettings.ACK_WAIT_MS, 0), 1);
        h.route("d1", "conn-slow|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "d1");

        h.publish(h.appKey + ":d1", cmd);
        await().atMost(WAIT).until(() -> slow.deliveries.size() == 1);

        // handed over but unanswered: stored already, not committed
        assertThat(h.inbox("d1")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.committed()).isLessThan(h.produced());
        slow.hold.countDown();
        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.stat(id(cmd))).containsEntry("online", "1");
    }

    @Test
    void batch_whenRedisStallsMidway_thenNothingCommittedUntilRetrySucceeds() throws Exception {
        // its own redis-server: this test pauses it
        try (RedisServer own = RedisServer.start(); RouterHarness mine = new RouterHarness(own.uri(), false, zk, kafka)) {
            RouterNode router = mine.startRouter(Map.of(RedisSettings.TIMEOUT_MS, 300, RouterSettings.RETRY_BACKOFF_MS, 100));
            PushCommand cmd = Commands.toDevices(mine.appKey, 3600, "patient");
            mine.produced();
            assertThat(own.command("CLIENT PAUSE 8000 ALL")).isEqualTo("+OK");

            mine.publish(mine.appKey + ":patient", cmd);

            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                    .until(() -> mine.committed() < mine.produced());
            await().atMost(WAIT).until(() -> mine.committed() == mine.produced());
            assertThat(mine.inbox("patient")).containsExactly(RedisKeys.inboxMember(id(cmd)));
            assertThat(metric(router, "longlink_router_batches_total", "result", "retried")).isGreaterThanOrEqualTo(1.0);
        }
    }

    @Test
    void consumerLag_whenCommandsWaitBehindAStalledRedis_thenCountedUntilRouted() throws Exception {
        try (RedisServer own = RedisServer.start(); RouterHarness mine = new RouterHarness(own.uri(), false, zk, kafka)) {
            RouterNode router = mine.startRouter(Map.of(RedisSettings.TIMEOUT_MS, 300, RouterSettings.RETRY_BACKOFF_MS, 100,
                    RouterSettings.MAX_POLL_RECORDS, 1));
            assertThat(own.command("CLIENT PAUSE 6000 ALL")).isEqualTo("+OK");

            for (int i = 0; i < 5; i++) {
                mine.publish(mine.appKey + ":lagging", Commands.toDevices(mine.appKey, 3600, "lagging"));
            }

            await().atMost(WAIT).until(() -> metric(router, "longlink_router_consumer_lag_records") >= 3);
            await().atMost(WAIT).until(() -> mine.committed() == mine.produced());
            await().atMost(WAIT).until(() -> metric(router, "longlink_router_consumer_lag_records") == 0);
        }
    }

    @Test
    void twoRouters_whenOneStopsWhileRedisIsPaused_thenEveryCommandReachesItsInbox() throws Exception {
        // its own redis-server: this test pauses it
        try (RedisServer own = RedisServer.start(); RouterHarness mine = new RouterHarness(own.uri(), false, zk, kafka)) {
            // a long first backoff: the survivor is paused when the rebalance hands it the other's partitions
            Map<Setting<?>, Object> settings = Map.of(RedisSettings.TIMEOUT_MS, 300,
                    RouterSettings.RETRY_BACKOFF_MS, 5_000);
            RouterNode first = mine.startRouter(settings);
            RouterNode second = mine.startRouter(settings);
            mine.produced();
            assertThat(own.command("CLIENT PAUSE 4000 ALL")).isEqualTo("+OK");
            PushCommand[] cmds = new PushCommand[40];
            for (int i = 0; i < cmds.length; i++) {
                cmds[i] = Commands.toDevices(mine.appKey, 3600, "dev-" + i);
                mine.publish(mine.appKey + ":dev-" + i, cmds[i]);
            }
            await().atMost(WAIT).until(() -> metric(first, "longlink_router_batches_total", "result", "retried") >= 1
                    && metric(second, "longlink_router_batches_total", "result", "retried") >= 1);

            second.close();

            await().atMost(Duration.ofSeconds(60)).until(() -> mine.committed() == mine.produced());
            for (int i = 0; i < cmds.length; i++) {
                assertThat(mine.inbox("dev-" + i)).as("inbox of dev-" + i)
                        .containsExactly(RedisKeys.inboxMember(id(cmds[i])));
            }
        }
    }

    @Test
    void unreadableCommands_whenConsumed_thenSkippedCommittedAndLaterOnesRouted() throws Exception {
        RouterNode router = h.startRouter(Map.of());
        PushCommand good = Commands.toDevices(h.appKey, 3600, "after");

        h.publish(h.appKey, new byte[] {0x0a, (byte) 0xff, 0x01});
        h.publish(h.appKey, PushCommand.newBuilder().setAppKey(h.appKey).build());
        h.publish(h.appKey, good);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(h.inbox("after")).containsExactly(RedisKeys.inboxMember(id(good)));
        assertThat(metric(router, "longlink_router_commands_total", "result", "unreadable")).isEqualTo(2.0);
    }

    @Test
    void twoRouters_whenOneStopsMidStream_thenEveryCommandLandsInItsInbox() throws Exception {
        RouterNode first = h.startRouter(Map.of(RouterSettings.MAX_POLL_RECORDS, 10));
        RouterNode second = h.startRouter(Map.of(RouterSettings.MAX_POLL_RECORDS, 10));
        int total = 400;
        PushCommand[] cmds = new PushCommand[total];
        for (int i = 0; i < total / 2; i++) {
            cmds[i] = Commands.toDevices(h.appKey, 3600, "dev-" + i);
            h.publish(h.appKey + ":dev-" + i, cmds[i]);
        }
        await().atMost(WAIT).until(() -> h.committed() >= 40);

        first.close();
        for (int i = total / 2; i < total; i++) {
            cmds[i] = Commands.toDevices(h.appKey, 3600, "dev-" + i);
            h.publish(h.appKey + ":dev-" + i, cmds[i]);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> h.committed() == h.produced());
        for (int i = 0; i < total; i++) {
            assertThat(h.inbox("dev-" + i)).as("inbox of dev-" + i).containsExactly(RedisKeys.inboxMember(id(cmds[i])));
        }
        assertThat(second.isReady()).isTrue();
    }
}
