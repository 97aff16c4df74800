package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnNode;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One live connection per device: on one node, across two nodes, and under a storm of concurrent logins. */
@ExtendWith(Infra.class)
class DuplicateLoginIntegrationTest {
    @AutoClose
    private static ConnNode nodeA;
    @AutoClose
    private static ConnNode nodeB;
    @AutoClose
    private static TestRedis redis;
    private static TestRedis.App app;

    @BeforeAll
    static void start(RedisServer redisServer, TestingServer zk) throws Exception {
        redis = new TestRedis(redisServer.uri(), false);
        nodeA = TestNodes.on(redisServer.uri(), zk, "dup-it").start();
        nodeB = TestNodes.on(redisServer.uri(), zk, "dup-it").start();
        app = redis.newApp();
    }


    private static ConnAck login(TestDevice d, String device) throws IOException {
        ConnAck ack = d.login(TestDevice.connectFrame(app.key(), device, app.token(device), 60));
        assertThat(ack.getCode()).isEqualTo(ErrorCode.OK);
        return ack;
    }

    /** The kicked connection hears KICK, then ERROR KICKED, then the close. */
    private static void assertKicked(TestDevice d) throws IOException {
        List<TestDevice.Frame> frames = d.readUntilClosed(Duration.ofSeconds(5));
        assertThat(frames).extracting(TestDevice.Frame::frameType).containsExactly(FrameType.KICK, FrameType.ERROR);
        assertThat(Kick.parseFrom(frames.get(0).body()).getReason()).isNotBlank();
        assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
    }

    @Test
    void connect_whenSameDeviceTwiceOnOneNode_thenFirstKickedAndRouteNamesSecond() throws Exception {
        try (TestDevice first = TestDevice.connect(nodeA.deviceAddress());
             TestDevice second = TestDevice.connect(nodeA.deviceAddress())) {
            login(first, "same-node");
            ConnAck ack = login(second, "same-node");
            assertKicked(first);
            assertThat(redis.route(app.key(), "same-node")).isEqualTo(nodeA.nodeId() + "|" + ack.getSessionId());
            assertThat(nodeA.sessionIndex().find(app.key(), "same-node").connectionIdText()).isEqualTo(ack.getSessionId());
            second.ping();
            assertThat(second.read().frameType()).isEqualTo(FrameType.PONG);
        }
    }

    @Test
    void connect_whenSameDeviceOnAnotherNode_thenOldKickedThroughGrpcAndRouteNamesNew() throws Exception {
        try (TestDevice old = TestDevice.connect(nodeA.deviceAddress());
             TestDevice fresh = TestDevice.connect(nodeB.deviceAddress())) {
            login(old, "roamer");
            ConnAck ack = login(fresh, "roamer");
            assertKicked(old);
            assertThat(redis.route(app.key(), "roamer")).isEqualTo(nodeB.nodeId() + "|" + ack.getSessionId());
            await().atMost(Duration.ofSeconds(5)).until(() -> nodeA.sessionIndex().find(app.key(), "roamer") == null);
            // the old connection's close deleted nothing: its compare-and-delete saw the new value
            assertThat(redis.route(app.key(), "roamer")).isEqualTo(nodeB.nodeId() + "|" + ack.getSessionId());
            fresh.ping();
            assertThat(fresh.read().frameType()).isEqualTo(FrameType.PONG);
        }
    }

    @Test
    void connect_whenManyConcurrentLoginsOfOneDeviceOnTwoNodes_thenExactlyOneSurvivesAndRouteNamesIt()
            throws Exception {
        for (int round = 0; round < 4; round++) { // races differ run to run: several storms per run
            storm("storm-" + round);
        }
    }

    private static void storm(String device) throws Exception {
        int n = 24;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger closed = new AtomicInteger();
        ConcurrentHashMap<Integer, String> routeValues = new ConcurrentHashMap<>();
        List<TestDevice> devices = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int i = 0; i < n; i++) {
                ConnNode node = i % 2 == 0 ? nodeA : nodeB;
                TestDevice d = TestDevice.connect(node.deviceAddress());
                devices.add(d);
                int id = i;
                pool.execute(() -> {
                    try {
                        go.await();
                        d.send(FrameType.CONNECT, TestDevice.connectFrame(app.key(), device, app.token(device), 60));
                        while (true) {
                            TestDevice.Frame f = d.read(Duration.ofSeconds(60));
                            if (f.frameType() == FrameType.CONNACK) {
                                ConnAck ack = ConnAck.parseFrom(f.body());
                                if (ack.getCode() == ErrorCode.OK) {
                                    routeValues.put(id, ack.getNodeId() + "|" + ack.getSessionId());
                                }
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        closed.incrementAndGet(); // EOF: kicked (or the test closed it at the end)
                    }
                });
            }
            go.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> closed.get() >= n - 1);
            // nothing else gets closed later: the survivor stays
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> closed.get() == n - 1);
            String route = redis.route(app.key(), device);
            assertThat(route).isNotNull();
            List<Integer> survivors = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (route.equals(routeValues.get(i))) {
                    survivors.add(i);
                }
            }
            assertThat(survivors).hasSize(1);
            TestDevice survivor = devices.get(survivors.get(0));
            assertThat(survivor.isClosed()).isFalse();
            // exactly one node still indexes the device (the other's kicked sessions are gone)
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    (nodeA.sessionIndex().find(app.key(), device) == null ? 0 : 1)
                            + (nodeB.sessionIndex().find(app.key(), device) == null ? 0 : 1) == 1);
            ConnNode owner = route.startsWith(nodeA.nodeId() + "|") ? nodeA : nodeB;
            assertThat(owner.sessionIndex().find(app.key(), device).connectionIdText())
                    .isEqualTo(route.substring(route.indexOf('|') + 1));
        } finally {
            for (TestDevice d : devices) {
                d.close();
            }
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
