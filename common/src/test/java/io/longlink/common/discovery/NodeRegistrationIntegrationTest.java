package io.longlink.common.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.testsupport.Infra;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Infra.class)
class NodeRegistrationIntegrationTest {
    @Test
    void markDraining_thenEntryFlaggedStillPresentAndKeptAcrossLoadUpdates(TestingServer zk) throws Exception {
        try (CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .namespace("registration-" + UUID.randomUUID()).retryPolicy(new RetryOneTime(100)).build()) {
            client.start();
            client.blockUntilConnected();
            String path = ZooKeeperPaths.node("conn", "conn-1");
            try (NodeRegistration r = new NodeRegistration(client, new NodeInfo("conn-1", "conn",
                    Map.of("device", "h:7000"), 5))) {
                r.start(5_000);

                r.markDraining();
                r.updateLoad(4);

                NodeInfo stored = NodeInfo.decode(client.getData().forPath(path));
                assertThat(stored.draining()).isTrue();
                assertThat(stored.load()).isEqualTo(4);
                assertThat(r.info()).isEqualTo(stored);
            }
            assertThat(client.checkExists().forPath(path)).isNull();
        }
    }
}
