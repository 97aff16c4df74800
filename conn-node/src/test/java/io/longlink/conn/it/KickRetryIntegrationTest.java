package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.conn.route.PeerKicker;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.KickRequest;
import io.longlink.proto.internal.KickResponse;
import io.longlink.testsupport.FreePorts;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A device's previous connection on another conn-node that does not answer the Kick at once: the
 * kick is retried until that node answers, or leaves the membership; the failures cost one log
 * line a second, not one per kick.
 */
@ExtendWith(Infra.class)
class KickRetryIntegrationTest {
    private static final String NAMESPACE = "kick-retry-it";

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace(NAMESPACE);

    /** A conn-node in the membership whose gRPC port is {@code grpcPort}, where nothing may listen yet. */
    private static void registerPeer(String nodeId, int grpcPort) throws Exception {
        NodeInfo info = new NodeInfo(nodeId, "conn", Map.of("grpc", "127.0.0.1:" + grpcPort, "device", "127.0.0.1:1"),
                0);
        conn.zkClient().create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(ZooKeeperPaths.node("conn", nodeId), info.encode());
    }

    private static void leave(String nodeId) throws Exception {
        conn.zkClient().delete().forPath(ZooKeeperPaths.node("conn", nodeId));
    }

    /** The previous connection of {@code device} was on {@code nodeId}; the device now logs in here. */
    private static TestDevice relogin(String nodeId, String device) throws Exception {
        conn.redis().setRoute(conn.app().key(), device, nodeId + "|00000000000000aa", 60_000);
        TestDevice d = TestDevice.connect(conn.node().deviceAddress());
        d.loginOk(conn.app().connectFrame(device, 60));
        return d;
    }

    private static double kicks(String kind) {
        return conn.metric("longlink_conn_kicks_total", "kind", kind);
    }

    /** A conn-node's Kick surface that records what it is asked. */
    private static Server peer(int port, List<KickRequest> received) throws Exception {
        return NettyServerBuilder.forPort(port).addService(new ConnNodeGrpc.ConnNodeImplBase() {
            @Override
            public void kick(KickRequest request, StreamObserver<KickResponse> responses) {
                received.add(request);
                responses.onNext(KickResponse.newBuilder().setKicked(true).build());
                responses.onCompleted();
            }
        }).build().start();
    }

    @Test
    void kick_whenThePeerIsUnreachableForAWhile_thenRetriedUntilItAnswers() throws Exception {
        int port = FreePorts.next();
        registerPeer("late-peer", port);
        double failed = kicks("remote_failed");
        try (TestDevice d = relogin("late-peer", "roamer")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> kicks("remote_failed") >= failed + 2);

            List<KickRequest> received = new CopyOnWriteArrayList<>();
            Server server = peer(port, received);
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> !received.isEmpty());
                assertThat(received.get(0).getDeviceId()).isEqualTo("roamer");
                assertThat(received.get(0).getConnectionId()).isEqualTo("00000000000000aa");
                d.pingPong();
            } finally {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                leave("late-peer");
            }
        }
    }

    @Test
    void kick_whenThePeerLeavesTheMembershipWhileUnreachable_thenGivenUp() throws Exception {
        registerPeer("dead-peer", FreePorts.next());
        double givenUp = kicks("remote_given_up");
        double failed = kicks("remote_failed");
        try (TestDevice d = relogin("dead-peer", "orphan")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> kicks("remote_failed") > failed);
            leave("dead-peer");
            await().atMost(Duration.ofSeconds(10)).until(() -> kicks("remote_given_up") == givenUp + 1);
            d.pingPong();
        }
    }

    @Test
    void kick_whenManyKicksFail_thenOneLogLineASecond() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(PeerKicker.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        registerPeer("mute-peer", FreePorts.next());
        double failed = kicks("remote_failed");
        long start = System.nanoTime();
        TestDevice[] devices = new TestDevice[6];
        try {
            for (int i = 0; i < devices.length; i++) {
                devices[i] = relogin("mute-peer", "crowd-" + i);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> kicks("remote_failed") >= failed + devices.length);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            long warnings = lines.list.stream().filter(e -> e.getLevel() == Level.WARN).count();
            assertThat(warnings).isBetween(1L, 1 + seconds + 1);
        } finally {
            logger.detachAppender(lines);
            leave("mute-peer");
            for (TestDevice d : devices) {
                if (d != null) {
                    d.close();
                }
            }
        }
    }
}
