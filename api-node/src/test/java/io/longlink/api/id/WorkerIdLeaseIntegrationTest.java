package io.longlink.api.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.UUID;
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
            // take every id but one, so the next lease can only get that one
            for (int i = 1; i < WorkerIdLease.WORKERS; i++) {
                a.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(ZooKeeperPaths.WORKERS + "/" + i);
            }
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
