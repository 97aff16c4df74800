package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnNode;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.testsupport.Infra;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One live connection per device: on one node, across two nodes, and under a storm of concurrent logins. */
@ExtendWith(Infra.class)
class DuplicateLoginIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("dup-it").withPeer();

    private static ConnAck login(TestDevice d, String device) throws IOException {
        return d.loginOk(conn.app().connectFrame(device, 60));
    }

    /** The kicked connection hears KICK, then ERROR KICKED, then the close. */
    private static void assertKicked(TestDevice d) throws IOException {
        List<TestDevice.Frame> frames = d.readUntilClosed(Duration.ofSeconds(5));
        assertThat(frames).extracting(TestDevice.Frame::frameType).containsExactly(FrameType.KICK, FrameType.ERROR);
        assertThat(Kick.parseFrom(frames.get(0).body()).getReason()).isNotBlank();
        assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
    }

    /** {@code older} logs in as {@code device}, then {@code newer}, which kicks it: the newer's CONNACK. */
    private static ConnAck takeOver(TestDevice older, TestDevice newer, String device) throws IOException {
        login(older, device);
        ConnAck ack = login(newer, device);
        assertKicked(older);
        return ack;
    }

    @Test
    void connect_whenSameDeviceTwiceOnOneNode_thenFirstKickedAndRouteNamesSecond() throws Exception {
        try (TestDevice first = TestDevice.connect(conn.node().deviceAddress());
             TestDevice second = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = takeOver(first, second, "same-node");
            assertThat(conn.route("same-node")).isEqualTo(conn.node().nodeId() + "|" + ack.getSessionId());
            assertThat(conn.session("same-node").connectionIdText()).isEqualTo(ack.getSessionId());
            second.pingPong();
        }
    }

    @Test
    void connect_whenSameDeviceOnAnotherNode_thenOldKickedThroughGrpcAndRouteNamesNew() throws Exception {
        try (TestDevice old = TestDevice.connect(conn.node().deviceAddress());
             TestDevice fresh = TestDevice.connect(conn.peer().deviceAddress())) {
            ConnAck ack = takeOver(old, fresh, "roamer");
            assertThat(conn.route("roamer")).isEqualTo(conn.peer().nodeId() + "|" + ack.getSessionId());
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.session("roamer") == null);
            // the old connection's close deleted nothing: its compare-and-delete saw the new value
            assertThat(conn.route("roamer")).isEqualTo(conn.peer().nodeId() + "|" + ack.getSessionId());
            fresh.pingPong();
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
                ConnNode node = i % 2 == 0 ? conn.node() : conn.peer();
                TestDevice d = TestDevice.connect(node.deviceAddress());
                devices.add(d);
                int id = i;
                pool.execute(() -> {
                    try {
                        go.await();
                        d.send(FrameType.CONNECT, conn.app().connectFrame(device, 60));
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
            String route = conn.route(device);
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
                    (conn.session(device) == null ? 0 : 1)
                            + (conn.peer().sessionIndex().find(conn.app().key(), device) == null ? 0 : 1) == 1);
            ConnNode owner = route.startsWith(conn.node().nodeId() + "|") ? conn.node() : conn.peer();
            assertThat(owner.sessionIndex().find(conn.app().key(), device).connectionIdText())
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
