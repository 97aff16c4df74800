package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Redirect;
import io.longlink.sdk.Listener;
import io.longlink.sdk.LonglinkClient;
import io.longlink.sdk.SessionInfo;
import io.longlink.testsupport.Infra;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The listener limits on real sockets: unauthenticated sockets and connections per node, CONNECTs
 * per source address and per node; each refusal is the sequence docs/protocol.md gives.
 */
@ExtendWith(Infra.class)
class ConnectLimitsIntegrationTest {
    private static final int RETRY_AFTER_MS = 400;

    @RegisterExtension
    static final ConnNodeExtension small = ConnNodeExtension.inNamespace("connect-limits-small-it")
            .with(ConnSettings.MAX_UNAUTHENTICATED, 2)
            .with(ConnSettings.MAX_CONNECTIONS, 1)
            .with(ConnSettings.DRAIN_RETRY_AFTER_MS, RETRY_AFTER_MS)
            .withPeer();

    @RegisterExtension
    static final ConnNodeExtension perAddress = ConnNodeExtension.inNamespace("connect-limits-address-it")
            .with(ConnSettings.CONNECT_RATE_PER_IP, 1) // bursts of 2
            .with(ConnSettings.DRAIN_RETRY_AFTER_MS, RETRY_AFTER_MS);

    @RegisterExtension
    static final ConnNodeExtension perNode = ConnNodeExtension.inNamespace("connect-limits-node-it")
            .with(ConnSettings.CONNECT_RATE, 1) // bursts of 2
            .with(ConnSettings.DRAIN_RETRY_AFTER_MS, RETRY_AFTER_MS);

    @RegisterExtension
    static final ConnNodeExtension penalty = ConnNodeExtension.inNamespace("connect-limits-penalty-it")
            .with(ConnSettings.CONNECT_RATE_PER_IP, 5) // bursts of 10
            .with(ConnSettings.ABUSE_PENALTY_MS, 5_000)
            .with(ConnSettings.DRAIN_RETRY_AFTER_MS, RETRY_AFTER_MS);

    /** Reads what the node sent before closing and checks it is exactly {@code expected}, in order. */
    private static List<TestDevice.Frame> closedWith(TestDevice d, FrameType... expected) throws IOException {
        List<TestDevice.Frame> frames = d.readUntilClosed(Duration.ofSeconds(5));
        assertThat(frames).extracting(TestDevice.Frame::frameType).containsExactly(expected);
        return frames;
    }

    private static void assertComeBackLater(TestDevice.Frame redirect) throws IOException {
        Redirect r = Redirect.parseFrom(redirect.body());
        assertThat(r.getAddressesList()).as("no address: use the server list").isEmpty();
        assertThat(r.getRetryAfterMs()).isBetween(RETRY_AFTER_MS, 2 * RETRY_AFTER_MS - 1);
    }

    private static void awaitNoSockets(ConnNodeExtension conn) {
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.metric("longlink_conn_sockets") == 0);
    }

    @Test
    void open_whenUnauthenticatedSocketsAtTheLimit_thenNewSocketRedirectedWithNodeFull() throws Exception {
        awaitNoSockets(small);
        try (TestDevice a = TestDevice.connect(small.node().deviceAddress());
             TestDevice b = TestDevice.connect(small.node().deviceAddress())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> small.metric("longlink_conn_sockets") == 2);
            try (TestDevice c = TestDevice.connect(small.node().deviceAddress())) {
                List<TestDevice.Frame> frames = closedWith(c, FrameType.REDIRECT, FrameType.ERROR);
                assertComeBackLater(frames.get(0));
                assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.NODE_FULL);
            }
            a.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> small.metric("longlink_conn_sockets") == 1);
            try (TestDevice d = TestDevice.connect(small.node().deviceAddress())) {
                assertThat(d.staysOpenAndSilent(Duration.ofMillis(300))).as("a freed place is taken").isTrue();
            }
        }
    }

    @Test
    void connect_whenNodeHoldsItsMostConnections_thenConnAckNodeFullRedirectAndError() throws Exception {
        awaitNoSockets(small);
        try (TestDevice first = TestDevice.connect(small.node().deviceAddress());
             TestDevice second = TestDevice.connect(small.node().deviceAddress())) {
            first.loginLive(small.node(), small.app(), "first");
            second.send(FrameType.CONNECT, TestDevice.connectFrame(small.app().key(), "second",
                    small.app().token("second"), 60));
            List<TestDevice.Frame> frames = closedWith(second, FrameType.CONNACK, FrameType.REDIRECT, FrameType.ERROR);
            assertThat(ConnAck.parseFrom(frames.get(0).body()).getCode()).isEqualTo(ErrorCode.NODE_FULL);
            assertComeBackLater(frames.get(1));
            assertThat(frames.get(2).error().getCode()).isEqualTo(ErrorCode.NODE_FULL);
            first.pingPong(); // the device already in stays
        }
    }

    @Test
    void connect_whenOneAddressOverItsRate_thenRedirectAndRateLimited() throws Exception {
        List<List<FrameType>> answers = connectFive(perAddress, "by-address");
        assertThat(answers.subList(0, 2)).as("the burst").allSatisfy(a -> assertThat(a).startsWith(FrameType.CONNACK));
        assertThat(answers).contains(List.of(FrameType.REDIRECT, FrameType.ERROR));
        assertThat(perAddress.metric("longlink_conn_connect_failures_total", "code", "RATE_LIMITED")).isPositive();
    }

    @Test
    void connect_whenNodeOverItsConnectRate_thenConnAckNodeFullRedirectAndError() throws Exception {
        List<List<FrameType>> answers = connectFive(perNode, "by-node");
        assertThat(answers.subList(0, 2)).as("the burst").allSatisfy(a -> assertThat(a).startsWith(FrameType.CONNACK));
        assertThat(answers).contains(List.of(FrameType.CONNACK, FrameType.REDIRECT, FrameType.ERROR));
        assertThat(perNode.metric("longlink_conn_connect_failures_total", "code", "NODE_FULL")).isPositive();
    }

    @Test
    void connect_whenItsAddressBrokeTheProtocol_thenRefusedUntilThePenaltyIsPaidBackAndOtherAddressesNot()
            throws Exception {
        InetAddress offender = InetAddress.getByName("127.0.0.21");
        try (TestDevice garbage = TestDevice.connectFrom(penalty.node().deviceAddress(), offender)) {
            garbage.sendRaw(new byte[] {(byte) 0x7f, 0}); // an unknown frame type
            List<TestDevice.Frame> frames = closedWith(garbage, FrameType.ERROR);
            assertThat(frames.get(0).error().getCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        }
        // 5 s of a 2 s bucket owed: the burst is gone
        assertThat(connectFrom(offender, "offender-1")).isEqualTo(List.of(FrameType.REDIRECT, FrameType.ERROR));
        assertThat(connectFrom(InetAddress.getByName("127.0.0.22"), "neighbour"))
                .as("another address keeps its budget").isEqualTo(List.of(FrameType.CONNACK));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> connectFrom(offender, "offender-2").equals(List.of(FrameType.CONNACK)));
    }

    /** One CONNECT from {@code local}: [CONNACK] when accepted, else the frames until the node closed. */
    private static List<FrameType> connectFrom(InetAddress local, String device) throws IOException {
        try (TestDevice d = TestDevice.connectFrom(penalty.node().deviceAddress(), local)) {
            d.send(FrameType.CONNECT, TestDevice.connectFrame(penalty.app().key(), device,
                    penalty.app().token(device), 60));
            TestDevice.Frame first = d.read();
            if (first.frameType() == FrameType.CONNACK && ConnAck.parseFrom(first.body()).getCode() == ErrorCode.OK) {
                return List.of(FrameType.CONNACK);
            }
            List<FrameType> got = new ArrayList<>(List.of(first.frameType()));
            d.readUntilClosed(Duration.ofSeconds(5)).forEach(f -> got.add(f.frameType()));
            return got;
        }
    }

    @Test
    void sdk_whenFirstServerOfItsListIsFull_thenConnectsToTheNext() throws Exception {
        awaitNoSockets(small);
        double refusedBefore = small.metric("longlink_conn_connect_failures_total", "code", "NODE_FULL");
        try (TestDevice occupant = TestDevice.connect(small.node().deviceAddress())) {
            occupant.loginLive(small.node(), small.app(), "occupant");
            CompletableFuture<SessionInfo> connected = new CompletableFuture<>();
            LonglinkClient client = LonglinkClient.builder()
                    .servers(hostPort(small.node()), hostPort(small.peer()))
                    .appKey(small.app().key())
                    .deviceId("sdk-device")
                    .token(small.app().token("sdk-device"))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .listener(new Listener() {
                        @Override
                        public void onConnected(SessionInfo session) {
                            connected.complete(session);
                        }
                    })
                    .build();
            try {
                client.start();
                SessionInfo session = connected.get(15, TimeUnit.SECONDS);
                assertThat(session.nodeId()).isEqualTo(small.peer().nodeId());
            } finally {
                client.close();
            }
        }
        assertThat(small.metric("longlink_conn_connect_failures_total", "code", "NODE_FULL"))
                .isEqualTo(refusedBefore + 1);
    }

    private static String hostPort(ConnNode node) {
        return node.deviceAddress().getHostString() + ":" + node.deviceAddress().getPort();
    }

    /**
     * Five CONNECTs in a row, each on its own socket: the frames each got until the node closed it,
     * or [CONNACK] for one it accepted. Two fit the burst; with one token a second, five in a row
     * cannot all fit.
     */
    private static List<List<FrameType>> connectFive(ConnNodeExtension conn, String prefix) throws IOException {
        List<List<FrameType>> answers = new ArrayList<>();
        List<TestDevice> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                TestDevice d = TestDevice.connect(conn.node().deviceAddress());
                open.add(d);
                String device = prefix + i;
                d.send(FrameType.CONNECT, TestDevice.connectFrame(conn.app().key(), device, conn.app().token(device),
                        60));
                TestDevice.Frame first = d.read();
                if (first.frameType() == FrameType.CONNACK
                        && ConnAck.parseFrom(first.body()).getCode() == ErrorCode.OK) {
                    answers.add(List.of(FrameType.CONNACK));
                    continue;
                }
                List<FrameType> got = new ArrayList<>(List.of(first.frameType()));
                d.readUntilClosed(Duration.ofSeconds(5)).forEach(f -> got.add(f.frameType()));
                answers.add(got);
            }
        } finally {
            for (TestDevice d : open) {
                d.close();
            }
        }
        return answers;
    }
}
