package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.ConnNode;
import io.longlink.conn.testing.TestNodes;
import io.longlink.proto.device.ConnAck;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisClusterServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same flows on a 3-master Redis Cluster: message bodies live in other slots than the device's
 * inbox (the drain's MGET is split by slot), routes and inboxes share the device's slot.
 */
@ExtendWith(Infra.class)
class RedisClusterIntegrationTest {
    private String uris;
    private TestRedis redis;
    private TestRedis.App app;

    @BeforeEach
    void connect(RedisClusterServer cluster) {
        uris = String.join(",", cluster.uris());
        redis = new TestRedis(uris, true);
        app = redis.newApp();
    }

    @AfterEach
    void close() {
        redis.close();
    }

    @Test
    void connect_whenRedisIsACluster_thenRouteDrainAckAndDeleteWork(TestingServer zk) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 1; i <= 30; i++) { // 30 ids: their ll:msg keys spread over all three masters
            long id = 9_000_000L + i * 7919L;
            redis.storeInInbox(app.key(), "clustered", TestRouter.push(id, "c" + i), 60_000);
            ids.add(id);
        }
        ConnNode node = TestNodes.onCluster(uris, zk, "cluster-it").start();
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            ConnAck ack = d.loginOk(app.connectFrame("clustered", 60));
            assertThat(redis.route(app.key(), "clustered")).isEqualTo(node.nodeId() + "|" + ack.getSessionId());
            assertThat(d.readPushIds(ids.size())).containsExactlyElementsOf(ids);
            d.ack(ids.stream().mapToLong(Long::longValue).toArray());
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.inbox(app.key(), "clustered").isEmpty());
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(redis.stat(ids.get(29), "acked")));
            assertThat(RedisKeys.message(ids.get(0))).isNotEqualTo(RedisKeys.message(ids.get(1)));
        } finally {
            node.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.route(app.key(), "clustered") == null);
    }

    @Test
    void connect_whenBroadcastLogOnACluster_thenReplayedAndSeenWritten(TestingServer zk) throws Exception {
        List<Long> ids = new ArrayList<>();
        long lastPosition = 0;
        for (int i = 1; i <= 12; i++) { // bodies in every master's slots; the log in the app's slot
            long id = 7_000_000L + i * 7919L;
            lastPosition = redis.logBroadcast(app.key(), TestRouter.push(id, "b" + i), null, 60_000);
            ids.add(id);
        }
        String seenAtTheEnd = Long.toString(lastPosition);
        ConnNode node = TestNodes.onCluster(uris, zk, "cluster-replay-it").start();
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            d.loginOk(app.connectFrame("fan", 60));
            assertThat(d.readPushIds(ids.size())).containsExactlyElementsOf(ids);
            d.ack(ids.get(ids.size() - 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> seenAtTheEnd.equals(redis.seen(app.key(), "fan")));
        } finally {
            node.close();
        }
    }
}
