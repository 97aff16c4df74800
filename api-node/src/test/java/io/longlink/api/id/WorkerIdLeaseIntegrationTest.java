package io.longlink.api.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.grpc.Refusal;
import io.longlink.testsupport.Infra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class WorkerIdLeaseIntegrationTest {
    private static CuratorFramework client(TestingServer zk, String namespace, int sessionMs) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString()).namespace(namespace)
                .sessionTimeoutMs(sessionMs).connectionTimeoutMs(2_000).retryPolicy(new RetryNTimes(1_000, 100)).build();
        c.start();
        c.blockUntilConnected();
        return c;
    }

    @Test
    void acquire_whenTwoNodes_thenDistinctIdsHeldAsEphemeralNodes(TestingServer zk) throws Exception {
        String ns = "lease-" + UUID.randomUUID();
        try (CuratorFramework a = client(zk, ns, 10_000); CuratorFramework b = client(zk, ns, 10_000);
             WorkerIdLease first = new WorkerIdLease(a, "api-a"); WorkerIdLease second = new WorkerIdLease(b, "api-b")) {
            int x = first.acquire();
            int y = second.acquire();

            assertThat(x).isNotEqualTo(y);
            assertThat(first.current()).isEqualTo(x);
            assertThat(second.current()).isEqualTo(y);
            assertThat(a.checkExists().forPath(ZooKeeperPaths.WORKERS + "/" + x).getEphemeralOwner())
                    .isEqualTo(a.getZookeeperClient().getZooKeeper().getSessionId());
        }
    }

    @Test
    void close_whenLeaseHeld_thenIdFreedForOthers(TestingServer zk) throws Exception {
        String ns = "lease-" + UUID.randomUUID();
        try (CuratorFramework a = client(zk, ns, 10_000)) {
            leaveOnlyIdZero(a);
            WorkerIdLease lease = new WorkerIdLease(a, "api-a");
            assertThat(lease.acquire()).isZero();
            lease.close();
            assertThat(a.checkExists().forPath(ZooKeeperPaths.WORKERS + "/0")).isNull();
            assertThat(lease.current()).isEqualTo(-1);
            try (WorkerIdLease again = new WorkerIdLease(a, "api-b")) {
                assertThat(again.acquire()).isZero();
            }
        }
    }

    /** Takes every worker id but 0 with {@code client}'s session, so the next lease can only get 0. */
    private static void leaveOnlyIdZero(CuratorFramework client) throws Exception {
        for (int i = 1; i < WorkerIdLease.WORKERS; i++) {
            client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(ZooKeeperPaths.WORKERS + "/" + i);
        }
    }

    @Test
    void acquire_whenTheNewHoldersClockLagsThePreviousHolders_thenItsIdsFollowThePreviousOnesAndNeverRepeat(
            TestingServer zk) throws Exception {
        String ns = "lease-" + UUID.randomUUID();
        try (CuratorFramework blocker = client(zk, ns, 10_000); CuratorFramework a = client(zk, ns, 10_000);
             CuratorFramework b = client(zk, ns, 10_000)) {
            leaveOnlyIdZero(blocker);
            long t = System.currentTimeMillis();
            List<Long> previousIds = new ArrayList<>();
            AtomicLong previousClock = new AtomicLong(t);
            try (WorkerIdLease previous = new WorkerIdLease(a, "api-a", previousClock::get)) {
                assertThat(previous.acquire()).isZero();
                MessageIds ids = new MessageIds(previousClock::get, previous::slot);
                for (int i = 0; i < 1_000; i++) {
                    previousIds.add(ids.next());
                }
            }
            // worker id 0 is free again; its next holder's clock is 3 s behind the previous holder's
            AtomicLong laggingClock = new AtomicLong(t - 3_000);
            try (WorkerIdLease next = new WorkerIdLease(b, "api-b", laggingClock::get)) {
                assertThat(next.acquire()).isZero();
                MessageIds ids = new MessageIds(laggingClock::get, next::slot);
                List<Long> nextIds = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    nextIds.add(ids.next());
                }

                assertThat(nextIds).allSatisfy(id -> assertThat(MessageIds.worker(id)).isZero())
                        .doesNotContainAnyElementsOf(previousIds);
                assertThat(Collections.min(nextIds)).isGreaterThan(Collections.max(previousIds));
            }
        }
    }

    @Test
    void lease_whileHeld_thenIdsStayBelowAReservationKeptAheadOfTheClockInZooKeeper(TestingServer zk) throws Exception {
        String ns = "lease-" + UUID.randomUUID();
        AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        try (CuratorFramework a = client(zk, ns, 10_000); WorkerIdLease lease = new WorkerIdLease(a, "api-a", clock::get)) {
            int id = lease.acquire();
            String reservation = ZooKeeperPaths.WORKERS_CLOCK + "/" + id;
            long reserved = Long.parseLong(new String(a.getData().forPath(reservation), StandardCharsets.UTF_8));
            assertThat(reserved).isEqualTo(lease.slot().untilMs()).isGreaterThan(clock.get());
            assertThat(a.checkExists().forPath(reservation).getEphemeralOwner()).as("persistent").isZero();

            // the clock reaches the reservation: ids stop rather than outrun what ZooKeeper holds ...
            clock.set(reserved);
            MessageIds ids = new MessageIds(clock::get, () -> new WorkerSlot(id, 0, reserved));
            assertThatThrownBy(ids::next).isInstanceOf(Refusal.class).hasMessageContaining("reserved");

            // ... and the holder extends the reservation ahead of its clock
            await().atMost(Duration.ofSeconds(10)).until(() -> lease.slot().untilMs() > reserved);
            assertThat(Long.parseLong(new String(a.getData().forPath(reservation), StandardCharsets.UTF_8)))
                    .isEqualTo(lease.slot().untilMs());
            assertThat(new MessageIds(clock::get, lease::slot).next()).isPositive();
        }
    }

    @Test
    void acquire_whenAllIdsLeased_thenFailsNamingTheLimit(TestingServer zk) throws Exception {
        String ns = "lease-" + UUID.randomUUID();
        try (CuratorFramework a = client(zk, ns, 10_000); WorkerIdLease lease = new WorkerIdLease(a, "api-x")) {
            for (int i = 0; i < WorkerIdLease.WORKERS; i++) {
                a.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(ZooKeeperPaths.WORKERS + "/" + i);
            }
            assertThatThrownBy(lease::acquire).isInstanceOf(IllegalStateException.class)
                    .hasMessage("no free message-id worker id: all 1024 under /workers are leased by live api-nodes");
        }
    }

    @Test
    void lease_whenZooKeeperConnectionLostAndBack_thenSuspendedThenHeldAgain() throws Exception {
        // a dedicated server: this test stops it
        try (TestingServer own = new TestingServer(true)) {
            CuratorFramework c = client(own, "lease", 4_000);
            try (WorkerIdLease lease = new WorkerIdLease(c, "api-z")) {
                int id = lease.acquire();
                own.stop();
                await().atMost(Duration.ofSeconds(20)).until(() -> lease.current() == -1);
                assertThat(new MessageIds(System::currentTimeMillis, lease::current)).satisfies(ids ->
                        assertThatThrownBy(ids::next).hasMessageContaining("no worker id lease"));

                own.restart();
                await().atMost(Duration.ofSeconds(30)).until(() -> lease.current() >= 0);
                int again = lease.current();
                assertThat(c.checkExists().forPath(ZooKeeperPaths.WORKERS + "/" + again).getEphemeralOwner())
                        .isEqualTo(c.getZookeeperClient().getZooKeeper().getSessionId());
                assertThat(again).isBetween(0, WorkerIdLease.WORKERS - 1);
                assertThat(id).isBetween(0, WorkerIdLease.WORKERS - 1);
            } finally {
                c.close();
            }
        }
    }
}
