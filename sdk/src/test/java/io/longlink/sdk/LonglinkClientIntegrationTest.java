package io.longlink.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.ByteString;
import io.longlink.common.token.DeviceToken;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Platform;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.longlink.sdk.testing.FakeConnection;
import io.longlink.sdk.testing.FakeServer;
import io.longlink.sdk.testing.RecordingListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The client over real loopback sockets against a scripted test peer speaking the device protocol. */
class LonglinkClientIntegrationTest {
    private static final String SECRET = "app-secret";
    private static final String APP = "demo";
    private static final String DEVICE = "dev-1";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Long enough for a fail-over hop on a busy machine, far shorter than the 30 s backoff it replaces. */
    private static final Duration FAILOVER_WAIT = Duration.ofSeconds(3);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final RecordingListener events = new RecordingListener();
    private FakeServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = track(FakeServer.start());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @Test
    void connect_whenConnAckOk_thenConnectCarriesIdentityAndListenerSeesSession() throws Exception {
        String token = DeviceToken.mint(SECRET, APP, DEVICE, System.currentTimeMillis() / 1000 + 3600);
        LonglinkClient client = client(b -> b.token(token).platform(Platform.ANDROID).clientVersion("demo-app/2.1")
                .lastMessageId(77));
        client.setLearnedHeartbeatSeconds("", 120);
        client.start();

        FakeConnection conn = server.nextConnection();
        Connect connect = conn.acceptSession();

        assertThat(connect.getProtocolVersion()).isEqualTo(1);
        assertThat(connect.getAppKey()).isEqualTo(APP);
        assertThat(connect.getDeviceId()).isEqualTo(DEVICE);
        assertThat(connect.getToken()).isEqualTo(token);
        assertThat(DeviceToken.verify(connect.getToken(), SECRET, APP, DEVICE, System.currentTimeMillis() / 1000))
                .isEqualTo(DeviceToken.Verdict.VALID);
        assertThat(connect.getPlatform()).isEqualTo(Platform.ANDROID);
        assertThat(connect.getClientVersion()).isEqualTo("demo-app/2.1");
        assertThat(connect.getLastMessageId()).isEqualTo(77);
        assertThat(connect.getHeartbeatSeconds()).as("learned interval asked for").isEqualTo(120);

        assertThat(client.awaitConnected(WAIT)).isTrue();
        assertThat(client.state()).isEqualTo(ClientState.CONNECTED);
        await().atMost(WAIT).until(() -> events.connected.size() == 1);
        SessionInfo session = events.connected.get(0);
        assertThat(session.nodeId()).isEqualTo("fake-node");
        assertThat(session.sessionId()).startsWith("s-");
        assertThat(session.server()).isEqualTo(server.address());
        assertThat(session.heartbeatSeconds()).isEqualTo(120);
        assertThat(client.session()).contains(session);
    }

    @Test
    void push_whenReceived_thenListenerGetsMessageAndServerGetsAck() throws Exception {
        FakeConnection conn = startSession(client(b -> b.ackWindow(Duration.ofMillis(50))));
        long sentAt = System.currentTimeMillis();
        conn.send(FrameType.PUSH, Push.newBuilder().setMessageId(101).setPayload(ByteString.copyFromUtf8("{\"k\":1}"))
                .setNotification(Notification.newBuilder().setTitle("Hello").setBody("World"))
                .setCollapseKey("news").setSentAtMs(sentAt).build());

        await().atMost(WAIT).until(() -> events.messages.size() == 1);
        PushMessage m = events.messages.get(0);
        assertThat(m.id()).isEqualTo(101);
        assertThat(m.payloadUtf8()).isEqualTo("{\"k\":1}");
        assertThat(m.title()).isEqualTo("Hello");
        assertThat(m.body()).isEqualTo("World");
        assertThat(m.collapseKey()).isEqualTo("news");
        assertThat(m.expiresAtMs()).isZero();
        assertThat(m.sentAtMs()).isEqualTo(sentAt);
        assertThat(conn.expect(FrameType.ACK, Ack.class).getMessageIdsList()).containsExactly(101L);
    }

    @Test
    void push_whenBatchFills_thenOneAckFrameCarriesAllIds() throws Exception {
        FakeConnection conn = startSession(client(b -> b.ackWindow(Duration.ofSeconds(30)).ackBatchSize(3)));
        for (long id = 1; id <= 3; id++) {
            conn.send(FrameType.PUSH, push(id));
        }
        assertThat(conn.expect(FrameType.ACK, Ack.class).getMessageIdsList()).containsExactly(1L, 2L, 3L);
        assertThat(events.messageIds()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void push_whenSameIdRedelivered_thenAppSeesItOnceEvenAcrossReconnect() throws Exception {
        LonglinkClient client = client(b -> b.ackWindow(Duration.ofMillis(20)));
        FakeConnection first = startSession(client);
        first.send(FrameType.PUSH, push(5));
        first.send(FrameType.PUSH, push(5));
        first.send(FrameType.PUSH, push(6));
        assertThat(acked(first, 3)).as("duplicates are acknowledged too").containsExactlyInAnyOrder(5L, 5L, 6L);
        assertThat(events.messageIds()).containsExactly(5L, 6L);

        first.close();
        FakeConnection second = server.nextConnection();
        Connect reconnect = second.acceptSession();
        assertThat(reconnect.getLastMessageId()).isEqualTo(6);
        second.send(FrameType.PUSH, push(5));
        second.send(FrameType.PUSH, push(6));
        second.send(FrameType.PUSH, push(7));
        assertThat(acked(second, 3)).containsExactlyInAnyOrder(5L, 6L, 7L);
        assertThat(events.messageIds()).containsExactly(5L, 6L, 7L);
        assertThat(client.lastMessageId()).isEqualTo(7);
        assertThat(events.disconnects).first().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectCode.NETWORK);
            assertThat(d.willRetry()).isTrue();
        });
    }

    @Test
    void push_whenIdLowerThanEvictedOnesArrivesLate_thenDeliveredAndAcked() throws Exception {
        LonglinkClient client = client(b -> b.dedupCapacity(4).ackWindow(Duration.ofMillis(20)));
        client.start();
        FakeConnection conn = server.nextConnection();
        conn.acceptSession();
        for (long id = 10; id <= 15; id++) {
            conn.send(FrameType.PUSH, push(id));
        }
        conn.send(FrameType.PUSH, push(5));
        conn.send(FrameType.PUSH, push(5));
        List<Long> acked = new ArrayList<>();
        while (acked.size() < 8) {
            acked.addAll(conn.expect(FrameType.ACK, Ack.class).getMessageIdsList());
        }
        assertThat(events.messageIds()).as("5 arrives after 10 and 11 left the ring: new, shown once")
                .containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 5L);
        assertThat(acked).containsExactlyInAnyOrder(10L, 11L, 12L, 13L, 14L, 15L, 5L, 5L);
        assertThat(client.lastMessageId()).isEqualTo(15);
    }

    @Test
    void reconnect_whenServerEndsSessionWithTransientError_thenReconnectsAndReportsCode() throws Exception {
        FakeConnection first = startSession(client(b -> { }));
        first.send(FrameType.ERROR, Error.newBuilder().setCode(ErrorCode.INTERNAL).setReason("store down").build());
        first.close();

        acceptReconnect();
        Disconnect d = events.disconnects.get(0);
        assertThat(d.code()).isEqualTo(DisconnectCode.REJECTED);
        assertThat(d.serverCode()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(d.reason()).isEqualTo("INTERNAL: store down");
        assertThat(d.willRetry()).isTrue();
        assertThat(d.retryDelayMillis()).isBetween(0L, 50L);
    }

    static Stream<Arguments> reconnect_whenSessionsDrop_thenBackoffDoublesUntilAConnectionLastedStableAfter() {
        return Stream.of(
                arguments(named("never stable: delays double", Duration.ofHours(1)), List.of(20L, 40L, 80L)),
                arguments(named("each lasted stableAfter: backoff starts over", Duration.ZERO), List.of(20L, 20L, 20L)));
    }

    @ParameterizedTest
    @MethodSource
    void reconnect_whenSessionsDrop_thenBackoffDoublesUntilAConnectionLastedStableAfter(Duration stableAfter,
                                                                                        List<Long> delays)
            throws Exception {
        LonglinkClient client = client(b -> b.random(topOfRange()).backoff(Duration.ofMillis(20), Duration.ofMillis(1000))
                .stableAfter(stableAfter));
        client.start();
        dropThreeSessions();
        await().atMost(WAIT).until(() -> events.disconnects.size() == 3);
        assertThat(events.disconnects).extracting(Disconnect::retryDelayMillis).containsExactlyElementsOf(delays);
    }

    private void dropThreeSessions() throws Exception {
        for (int i = 0; i < 3; i++) {
            FakeConnection conn = server.nextConnection();
            conn.acceptSession();
            await().atMost(WAIT).until(() -> events.connected.size() == events.disconnects.size() + 1);
            conn.close();
            int ended = i + 1;
            await().atMost(WAIT).until(() -> events.disconnects.size() == ended);
        }
    }

    /** Jitter at the top of its range, so each delay equals its ceiling. */
    private static Random topOfRange() {
        return new Random() {
            private static final long serialVersionUID = 1L;

            @Override
            public double nextDouble() {
                return Math.nextDown(1.0);
            }
        };
    }

    @Test
    void redirect_whenServerRedirects_thenConnectsToTheNewAddress() throws Exception {
        FakeServer second = track(FakeServer.start());
        FakeConnection conn = startSession(client(b -> { }));
        conn.send(FrameType.REDIRECT, Redirect.newBuilder().addAddresses(second.address()).addAddresses("not an address")
                .setRetryAfterMs(0).setReason("draining").build());

        Connect connect = second.nextConnection().acceptSession();
        assertThat(connect.getDeviceId()).isEqualTo(DEVICE);
        await().atMost(WAIT).until(() -> events.connected.size() == 2);
        assertThat(events.connected.get(1).server()).isEqualTo(second.address());
        assertThat(events.redirects).containsExactly(List.of(second.address()));
        assertThat(events.errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("not an address"));
        assertThat(events.disconnects.get(0).code()).isEqualTo(DisconnectCode.REDIRECTED);
        assertThat(events.disconnects.get(0).reason()).contains("draining");
    }

    @Test
    void kick_whenServerKicks_thenStopsWithoutReconnecting() throws Exception {
        LonglinkClient client = client(b -> { });
        FakeConnection conn = startSession(client);
        conn.send(FrameType.KICK, Kick.newBuilder().setReason("another login").build());
        conn.close();

        await().atMost(WAIT).until(() -> client.state() == ClientState.STOPPED);
        assertThat(events.kicks).containsExactly("another login");
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectCode.KICKED);
            assertThat(d.willRetry()).isFalse();
        });
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> server.connectionCount() == 1);
    }

    @Test
    void kick_whenReconnectOnKickEnabled_thenReconnects() throws Exception {
        FakeConnection conn = startSession(client(b -> b.reconnectOnKick(true)));
        conn.send(FrameType.KICK, Kick.newBuilder().setReason("another login").build());
        acceptReconnect();
        assertThat(events.disconnects.get(0).willRetry()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"UNKNOWN_APP", "UNSUPPORTED_VERSION", "INVALID_ARGUMENT"})
    void connAck_whenFatalCode_thenStopsWithoutRetry(ErrorCode fatal) throws Exception {
        LonglinkClient client = client(b -> { });
        client.start();
        refuseNext(ConnAck.newBuilder().setCode(fatal).setReason("no such app"));

        assertThat(client.awaitConnected(WAIT)).isFalse();
        assertThat(client.state()).isEqualTo(ClientState.STOPPED);
        await().atMost(WAIT).until(() -> !events.disconnects.isEmpty());
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectCode.REJECTED);
            assertThat(d.serverCode()).isEqualTo(fatal);
            assertThat(d.willRetry()).isFalse();
            assertThat(d.retryDelayMillis()).isEqualTo(-1);
        });
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> server.connectionCount() == 1);
    }

    @Test
    void connAck_whenTransientCode_thenRetries() throws Exception {
        LonglinkClient client = client(b -> { });
        client.start();
        for (ErrorCode code : List.of(ErrorCode.SERVER_DRAINING, ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL)) {
            refuseNext(code);
        }
        server.nextConnection().acceptSession();
        assertThat(client.awaitConnected(WAIT)).isTrue();
        assertThat(events.disconnects).extracting(Disconnect::serverCode)
                .containsExactly(ErrorCode.SERVER_DRAINING, ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL);
        assertThat(events.disconnects).allSatisfy(d -> assertThat(d.willRetry()).isTrue());
    }

    @Test
    void connAck_whenBadTokenTwice_thenRefreshesOnceThenStops() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        LonglinkClient client = client(b -> b.tokenSupplier(() -> "token-" + asked.incrementAndGet()));
        client.start();
        assertThat(refuseNext(ErrorCode.BAD_TOKEN).getToken()).isEqualTo("token-1");
        assertThat(refuseNext(ErrorCode.BAD_TOKEN).getToken()).isEqualTo("token-2");

        await().atMost(WAIT).until(() -> client.state() == ClientState.STOPPED);
        assertThat(asked).hasValue(2);
        assertThat(events.disconnects).extracting(Disconnect::willRetry).containsExactly(true, false);
        assertThat(events.disconnects.get(1).reason()).contains("refused again after a token refresh");
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> server.connectionCount() == 2);
    }

    @Test
    void connAck_whenTokenExpired_thenSupplierAskedAgainAndEachSuccessAllowsAnotherRefresh() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        LonglinkClient client = client(b -> b.tokenSupplier(() -> "token-" + asked.incrementAndGet()));
        client.start();
        refuseNext(ErrorCode.TOKEN_EXPIRED);
        FakeConnection second = server.nextConnection();
        assertThat(second.acceptSession().getToken()).isEqualTo("token-2");
        assertThat(client.awaitConnected(WAIT)).isTrue();
        second.close();

        assertThat(refuseNext(ErrorCode.TOKEN_EXPIRED).getToken()).as("cached while valid").isEqualTo("token-2");
        FakeConnection fourth = server.nextConnection();
        assertThat(fourth.acceptSession().getToken()).isEqualTo("token-3");
        await().atMost(WAIT).until(() -> events.connected.size() == 2);
    }

    @Test
    void connAck_whenBadTokenAndFixedToken_thenStopsAtOnce() throws Exception {
        LonglinkClient client = client(b -> { });
        client.start();
        FakeConnection conn = server.nextConnection();
        conn.expect(FrameType.CONNECT, Connect.class);
        conn.send(FrameType.ERROR, Error.newBuilder().setCode(ErrorCode.BAD_TOKEN).setReason("bad signature").build());
        await().atMost(WAIT).until(() -> client.state() == ClientState.STOPPED);
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.serverCode()).isEqualTo(ErrorCode.BAD_TOKEN);
            assertThat(d.reason()).isEqualTo("BAD_TOKEN: bad signature (no token supplier to refresh it)");
        });
    }

    @Test
    void heartbeat_whenOneSecondNegotiated_thenPingsEverySecond() throws Exception {
        FakeServer ponging = track(FakeServer.start().autoPong(true));
        LonglinkClient client = track(baseBuilder().servers(ponging.address()).listener(events).build());
        client.start();
        FakeConnection conn = ponging.nextConnection();
        long connAckAt = System.nanoTime();
        conn.acceptSession(ConnAck.newBuilder().setHeartbeatSeconds(1).setHeartbeatMinSeconds(1).setHeartbeatMaxSeconds(1));

        FakeConnection.Received first = conn.next();
        FakeConnection.Received second = conn.next();
        assertThat(first.frame().type()).isEqualTo(FrameType.PING);
        assertThat(second.frame().type()).isEqualTo(FrameType.PING);
        assertThat(Duration.ofNanos(first.atNanos() - connAckAt)).isGreaterThan(Duration.ofMillis(900));
        assertThat(Duration.ofNanos(second.atNanos() - first.atNanos())).isGreaterThan(Duration.ofMillis(900));
        assertThat(events.connected.get(0).heartbeatSeconds()).isEqualTo(1);
        assertThat(client.state()).isEqualTo(ClientState.CONNECTED);
    }

    @Test
    void heartbeat_whenPongMissing_thenClosesAndReconnects() throws Exception {
        LonglinkClient client = client(b -> b.pongTimeout(Duration.ofMillis(200)));
        client.start();
        FakeConnection first = server.nextConnection();
        first.acceptSession(ConnAck.newBuilder().setHeartbeatSeconds(1).setHeartbeatMinSeconds(1).setHeartbeatMaxSeconds(1));
        assertThat(first.next().frame().type()).isEqualTo(FrameType.PING);
        assertThat(first.awaitEnd()).as("client drops the dead connection").isTrue();

        acceptReconnect();
        assertThat(events.disconnects.get(0).code()).isEqualTo(DisconnectCode.HEARTBEAT_TIMEOUT);
        assertThat(events.disconnects.get(0).willRetry()).isTrue();
    }

    @Test
    void frames_whenServerSendsGarbage_thenClientSaysWhyAndReconnects() throws Exception {
        FakeConnection first = startSession(client(b -> { }));
        first.sendRaw(new byte[] {0x7F, 0x00});

        io.longlink.proto.device.Disconnect bye = first.expect(FrameType.DISCONNECT, io.longlink.proto.device.Disconnect.class);
        assertThat(bye.getReason()).contains("MALFORMED_FRAME").contains("unknown frame type 127");
        assertThat(first.awaitEnd()).isTrue();
        acceptReconnect();
        assertThat(events.disconnects.get(0).code()).isEqualTo(DisconnectCode.PROTOCOL_ERROR);
    }

    @Test
    void frames_whenServerFrameOverLimit_thenNotDeliveredAndReconnects() throws Exception {
        FakeConnection first = startSession(client(b -> b.maxFrameSize(256)));
        first.send(FrameType.PUSH, Push.newBuilder().setMessageId(1).setPayload(ByteString.copyFrom(new byte[1000])).build());

        assertThat(first.expect(FrameType.DISCONNECT, io.longlink.proto.device.Disconnect.class).getReason())
                .contains("FRAME_TOO_LARGE");
        acceptReconnect();
        assertThat(events.messages).isEmpty();
        assertThat(events.disconnects.get(0).reason()).contains("exceeds the limit of 256 bytes");
    }

    @Test
    void frames_whenServerSendsClientOnlyFrame_thenProtocolError() throws Exception {
        FakeConnection first = startSession(client(b -> { }));
        first.send(FrameType.ACK, Ack.newBuilder().addMessageIds(1).build());
        assertThat(first.expect(FrameType.DISCONNECT, io.longlink.proto.device.Disconnect.class).getReason())
                .contains("unexpected ACK frame");
        acceptReconnect();
    }

    @Test
    void push_whenExpiredOrWithoutId_thenNotDeliveredButConnectionKept() throws Exception {
        LonglinkClient client = client(b -> b.ackWindow(Duration.ofMillis(20)));
        FakeConnection conn = startSession(client);
        conn.send(FrameType.PUSH, Push.newBuilder().setMessageId(0).build());
        conn.send(FrameType.PUSH, push(8).toBuilder().setExpiresAtMs(System.currentTimeMillis() - 60_000).build());
        conn.send(FrameType.PUSH, push(9).toBuilder().setExpiresAtMs(System.currentTimeMillis() + 60_000).build());

        assertThat(acked(conn, 2)).as("expired messages are acknowledged so the server drops them").containsExactly(8L, 9L);
        assertThat(events.messageIds()).containsExactly(9L);
        assertThat(events.errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("without a message id"));
        assertThat(client.state()).isEqualTo(ClientState.CONNECTED);
    }

    @Test
    void listener_whenOnMessageThrows_thenClientCarriesOnAndAcks() throws Exception {
        RecordingListener recorder = new RecordingListener();
        Listener throwing = new Listener() {
            @Override
            public void onMessage(PushMessage message) {
                recorder.onMessage(message);
                throw new IllegalStateException("app bug");
            }

            @Override
            public void onError(Throwable error) {
                recorder.onError(error);
            }
        };
        LonglinkClient client = client(b -> b.listener(throwing).ackWindow(Duration.ofMillis(20)));
        FakeConnection conn = startSession(client);
        conn.send(FrameType.PUSH, push(1));
        conn.send(FrameType.PUSH, push(2));
        acked(conn, 2);
        assertThat(recorder.messageIds()).containsExactly(1L, 2L);
        assertThat(recorder.errors).hasSize(2).allSatisfy(e -> assertThat(e).hasMessage("app bug"));
        assertThat(client.state()).isEqualTo(ClientState.CONNECTED);
    }

    @Test
    void close_whenConnected_thenFlushesAcksAndSaysDisconnect() throws Exception {
        LonglinkClient client = client(b -> b.ackWindow(Duration.ofSeconds(30)));
        FakeConnection conn = startSession(client);
        conn.send(FrameType.PUSH, push(9));
        await().atMost(WAIT).until(() -> events.messages.size() == 1);

        client.close();
        assertThat(conn.expect(FrameType.ACK, Ack.class).getMessageIdsList()).containsExactly(9L);
        assertThat(conn.expect(FrameType.DISCONNECT, io.longlink.proto.device.Disconnect.class).getReason())
                .isEqualTo("client closed");
        assertThat(conn.awaitEnd()).isTrue();
        assertThat(client.state()).isEqualTo(ClientState.CLOSED);
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectCode.CLOSED);
            assertThat(d.willRetry()).isFalse();
        });
    }

    @Test
    void close_whenCalledFromOnMessage_thenThatMessageIsAckedBeforeDisconnect() throws Exception {
        AtomicReference<LonglinkClient> self = new AtomicReference<>();
        Listener closing = new Listener() {
            @Override
            public void onMessage(PushMessage message) {
                events.onMessage(message);
                self.get().close();
            }

            @Override
            public void onDisconnected(Disconnect disconnect) {
                events.onDisconnected(disconnect);
            }
        };
        LonglinkClient client = client(b -> b.listener(closing).ackWindow(Duration.ofSeconds(30)));
        self.set(client);
        FakeConnection conn = startSession(client);
        conn.send(FrameType.PUSH, push(12));

        assertThat(conn.expect(FrameType.ACK, Ack.class).getMessageIdsList()).containsExactly(12L);
        assertThat(conn.expect(FrameType.DISCONNECT, io.longlink.proto.device.Disconnect.class).getReason())
                .isEqualTo("client closed");
        await().atMost(WAIT).until(() -> client.state() == ClientState.CLOSED);
        assertThat(events.disconnects).singleElement().satisfies(d -> assertThat(d.code()).isEqualTo(DisconnectCode.CLOSED));
    }

    @Test
    void close_whenWaitingToReconnect_thenNoFurtherAttempt() throws Exception {
        LonglinkClient client = client(b -> b.backoff(Duration.ofSeconds(30), Duration.ofSeconds(60))
                .random(topOfRange()));
        FakeConnection conn = startSession(client);
        conn.close();
        await().atMost(WAIT).until(() -> client.state() == ClientState.WAITING);
        assertThat(events.disconnects).singleElement().satisfies(d -> assertThat(d.retryDelayMillis()).isEqualTo(30_000));
        client.close();
        assertThat(client.state()).isEqualTo(ClientState.CLOSED);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> server.connectionCount() == 1);
    }

    @Test
    void connect_whenFirstServerUnreachable_thenNextServerAtOnceNotAfterBackoff() throws Exception {
        String dead = deadAddresses(1).get(0);
        LonglinkClient client = track(slowBackoff().servers(dead, server.address()).listener(events).build());
        client.start();
        server.nextConnection().acceptSession();
        assertThat(client.awaitConnected(FAILOVER_WAIT)).isTrue();
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectCode.NETWORK);
            assertThat(d.reason()).startsWith("connect to " + dead + " failed");
            assertThat(d.willRetry()).isTrue();
            assertThat(d.retryDelayMillis()).as("a small jitter, not the 30 s backoff").isBetween(0L, 100L);
        });
    }

    @Test
    void connect_whenFirstServerSendsNoConnAck_thenNextServerAfterTheConnectTimeout() throws Exception {
        FakeServer silent = track(FakeServer.start());
        LonglinkClient client = track(slowBackoff().connectTimeout(Duration.ofMillis(300))
                .servers(silent.address(), server.address()).listener(events).build());
        client.start();
        silent.nextConnection().expect(FrameType.CONNECT, Connect.class);
        server.nextConnection().acceptSession();
        assertThat(client.awaitConnected(FAILOVER_WAIT)).isTrue();
        assertThat(events.disconnects).singleElement()
                .satisfies(d -> assertThat(d.reason()).isEqualTo("no CONNACK from " + silent.address() + " within 300 ms"));
    }

    @Test
    void connect_whenFirstServerIsDraining_thenNextServerAtOnce() throws Exception {
        FakeServer draining = track(FakeServer.start());
        LonglinkClient client = track(slowBackoff().servers(draining.address(), server.address()).listener(events).build());
        client.start();
        FakeConnection refused = draining.nextConnection();
        refused.expect(FrameType.CONNECT, Connect.class);
        refused.send(FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.SERVER_DRAINING).build());
        server.nextConnection().acceptSession();
        assertThat(client.awaitConnected(FAILOVER_WAIT)).isTrue();
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.serverCode()).isEqualTo(ErrorCode.SERVER_DRAINING);
            assertThat(d.retryDelayMillis()).isBetween(0L, 100L);
        });
    }

    @Test
    void connect_whenFirstServerIsFull_thenNextServerAtOnceAndTheFullOneNotBeforeItsRetryAfter() throws Exception {
        FakeServer full = track(FakeServer.start());
        LonglinkClient client = track(baseBuilder().servers(full.address(), server.address()).listener(events)
                .random(topOfRange()).build());
        client.start();
        FakeConnection refused = full.nextConnection();
        refused.expect(FrameType.CONNECT, Connect.class);
        long refusedAt = System.nanoTime();
        refuseAsFull(refused, true, 1_500);

        // the next server refuses too: the round is over, yet the full one rests its 1.5 s first
        refuseNext(ErrorCode.INTERNAL);
        FakeConnection again = full.nextConnection();
        long back = System.nanoTime() - refusedAt;
        again.acceptSession();

        assertThat(client.awaitConnected(WAIT)).isTrue();
        assertThat(back).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1_500));
        assertThat(events.disconnects.get(0)).satisfies(d -> {
            assertThat(d.serverCode()).isEqualTo(ErrorCode.NODE_FULL);
            assertThat(d.retryDelayMillis()).as("the next server at once").isBetween(0L, 10L);
        });
        assertThat(events.disconnects.get(1).retryDelayMillis()).as("the full server's rest, not the 50 ms backoff")
                .isBetween(500L, 1_500L);
    }

    @Test
    void connect_whenFullBeforeConnectWithRedirectAndError_thenNextServerAtOnce() throws Exception {
        FakeServer full = track(FakeServer.start());
        LonglinkClient client = track(slowBackoff().servers(full.address(), server.address()).listener(events).build());
        client.start();
        // the node's limit of sockets that have not sent CONNECT: REDIRECT and ERROR, no CONNACK
        refuseAsFull(full.nextConnection(), false, 60_000);

        server.nextConnection().acceptSession();

        assertThat(client.awaitConnected(FAILOVER_WAIT)).isTrue();
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectCode.REJECTED);
            assertThat(d.serverCode()).isEqualTo(ErrorCode.NODE_FULL);
            assertThat(d.retryDelayMillis()).isBetween(0L, 100L);
        });
    }

    @Test
    void session_whenRateLimitedWithARetryAfter_thenBackToTheSameServerNotBeforeIt() throws Exception {
        FakeConnection conn = startSession(client(b -> { }));
        long limitedAt = System.nanoTime();
        conn.send(FrameType.REDIRECT, Redirect.newBuilder().setRetryAfterMs(800).setReason("too fast").build());
        conn.send(FrameType.ERROR, Error.newBuilder().setCode(ErrorCode.RATE_LIMITED).setReason("frames").build());
        conn.close();

        FakeConnection again = server.nextConnection();
        long back = System.nanoTime() - limitedAt;
        again.acceptSession();

        await().atMost(WAIT).until(() -> events.connected.size() == 2);
        assertThat(back).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(800));
        assertThat(events.disconnects).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo(DisconnectCode.REJECTED);
            assertThat(d.serverCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(d.retryDelayMillis()).isBetween(700L, 800L);
        });
    }

    /** What a full conn-node sends, then closes: CONNACK (after a CONNECT), REDIRECT with no address, ERROR. */
    private static void refuseAsFull(FakeConnection conn, boolean connAck, int retryAfterMs) throws IOException {
        if (connAck) {
            conn.send(FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.NODE_FULL).setReason("full").build());
        }
        conn.send(FrameType.REDIRECT, Redirect.newBuilder().setRetryAfterMs(retryAfterMs).setReason("full").build());
        conn.send(FrameType.ERROR, Error.newBuilder().setCode(ErrorCode.NODE_FULL).setReason("full").build());
        conn.close();
    }

    @Test
    void connect_whenEveryServerRefuses_thenBackoffOnlyOnceTheRoundFailed() throws Exception {
        LonglinkClient client = track(baseBuilder().servers(deadAddresses(2)).listener(events)
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(10)).random(topOfRange()).build());
        client.start();
        await().atMost(WAIT).until(() -> events.disconnects.size() >= 4);
        assertThat(events.disconnects.subList(0, 4)).extracting(Disconnect::retryDelayMillis)
                .as("hop, backoff, hop, doubled backoff").containsExactly(100L, 200L, 100L, 400L);
    }

    /** A backoff far longer than the fail-over waits, so only an immediate fail-over connects in time. */
    private static LonglinkClient.Builder slowBackoff() {
        return baseBuilder().backoff(Duration.ofSeconds(30), Duration.ofSeconds(60)).random(topOfRange());
    }

    /** Loopback addresses nobody listens on (connects are refused), distinct as all were bound at once. */
    private static List<String> deadAddresses(int count) throws IOException {
        List<ServerSocket> bound = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                bound.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return bound.stream().map(s -> "127.0.0.1:" + s.getLocalPort()).toList();
        } finally {
            for (ServerSocket s : bound) {
                s.close();
            }
        }
    }

    @Test
    void serverSupplier_whenItAnswers_thenSuppliedServerInsteadOfTheConfiguredOne() throws Exception {
        FakeServer configured = track(FakeServer.start());
        LonglinkClient client = track(baseBuilder().servers(configured.address())
                .serverSupplier(() -> List.of(server.address())).listener(events).build());
        client.start();
        server.nextConnection().acceptSession();
        await().atMost(WAIT).until(() -> events.connected.size() == 1);
        assertThat(events.connected.get(0).server()).isEqualTo(server.address());
        assertThat(configured.connectionCount()).isZero();
        assertThat(events.errors).isEmpty();
    }

    @Test
    void serverSupplier_whenAskedAtEachRound_thenFollowsItsLatestAnswer() throws Exception {
        FakeServer second = track(FakeServer.start());
        AtomicReference<List<String>> answer = new AtomicReference<>(List.of(server.address()));
        AtomicInteger asked = new AtomicInteger();
        LonglinkClient client = track(baseBuilder().servers(deadAddresses(1)).listener(events).serverSupplier(() -> {
            asked.incrementAndGet();
            return answer.get();
        }).build());
        client.start();
        FakeConnection first = server.nextConnection();
        first.acceptSession();
        await().atMost(WAIT).until(() -> events.connected.size() == 1);
        answer.set(List.of(second.address()));
        first.close();

        second.nextConnection().acceptSession();
        await().atMost(WAIT).until(() -> events.connected.size() == 2);
        assertThat(events.connected.get(1).server()).isEqualTo(second.address());
        assertThat(asked).hasValue(2);
    }

    @Test
    void serverSupplier_whenItFailsOrNamesNoValidServer_thenConfiguredServersAndOnErrorSaysWhy() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        LonglinkClient client = client(b -> b.serverSupplier(() -> {
            if (asked.incrementAndGet() == 1) {
                throw new IllegalStateException("bootstrap unreachable");
            }
            return List.of("not an address");
        }));
        client.start();
        sessionDroppedThenReconnected();
        assertThat(events.errors).extracting(Throwable::getMessage).containsExactly(
                "server supplier failed: IllegalStateException: bootstrap unreachable; configured servers used",
                "server supplier address ignored: \"not an address\" (expected host:port or [ipv6]:port, port 1..65535)");
    }

    @Test
    void serverSupplier_whenItHangs_thenConfiguredServersAfterTheConnectTimeoutAndNoSecondCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger asked = new AtomicInteger();
        FakeServer supplied = track(FakeServer.start());
        LonglinkClient client = client(b -> b.connectTimeout(Duration.ofSeconds(1)).serverSupplier(() -> {
            asked.incrementAndGet();
            hangUntil(release);
            return List.of(supplied.address());
        }));
        try {
            client.start();
            sessionDroppedThenReconnected();
        } finally {
            release.countDown();
        }
        assertThat(events.errors).extracting(Throwable::getMessage).containsExactly(
                "server supplier gave no answer within 1000 ms; configured servers used",
                "server supplier still busy since an earlier round; configured servers used");
        assertThat(asked).hasValue(1);
        assertThat(supplied.connectionCount()).isZero();
    }

    @Test
    void close_whenWaitingForTheServerSupplier_thenReturnsWithoutWaitingItOut() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LonglinkClient client = client(b -> b.connectTimeout(Duration.ofSeconds(30)).serverSupplier(() -> {
            called.countDown();
            hangUntil(release);
            return List.of(server.address());
        }));
        client.start();
        assertThat(called.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        long start = System.nanoTime();
        try {
            client.close();
        } finally {
            release.countDown();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("far below the 30 s wait").isLessThan(WAIT);
        assertThat(client.state()).isEqualTo(ClientState.CLOSED);
        assertThat(server.connectionCount()).isZero();
    }

    /** A first session on the test server, dropped by the server, then the client's second session there. */
    private void sessionDroppedThenReconnected() throws Exception {
        FakeConnection first = server.nextConnection();
        first.acceptSession();
        await().atMost(WAIT).until(() -> events.connected.size() == 1);
        first.close();
        server.nextConnection().acceptSession();
        await().atMost(WAIT).until(() -> events.connected.size() == 2);
    }

    /** Blocks like a hung remote call that ignores interrupts, until the test releases the latch. */
    private static void hangUntil(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void connect_whenTokenSupplierFails_thenReportedAndRetried() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        LonglinkClient client = client(b -> b.tokenSupplier(() -> {
            if (asked.incrementAndGet() == 1) {
                throw new IllegalStateException("backend unreachable");
            }
            return "token-ok";
        }));
        client.start();
        assertThat(server.nextConnection().acceptSession().getToken()).isEqualTo("token-ok");
        assertThat(events.disconnects.get(0).code()).isEqualTo(DisconnectCode.TOKEN_UNAVAILABLE);
        assertThat(events.disconnects.get(0).reason()).contains("backend unreachable");
    }

    private LonglinkClient client(Consumer<LonglinkClient.Builder> customize) {
        LonglinkClient.Builder b = baseBuilder().servers(server.address()).listener(events);
        customize.accept(b);
        return track(b.build());
    }

    /** Starts the client and accepts its first session: the server's side of it. */
    private FakeConnection startSession(LonglinkClient client) throws Exception {
        client.start();
        FakeConnection conn = server.nextConnection();
        conn.acceptSession();
        return conn;
    }

    /** Accepts the client's next session and waits until the listener has seen it as its second. */
    private void acceptReconnect() throws Exception {
        server.nextConnection().acceptSession();
        await().atMost(WAIT).until(() -> events.connected.size() == 2);
    }

    /** Answers the CONNECT of the server's next connection with a refusing CONNACK; returns that CONNECT. */
    private Connect refuseNext(ErrorCode code) throws Exception {
        return refuseNext(ConnAck.newBuilder().setCode(code));
    }

    private Connect refuseNext(ConnAck.Builder connAck) throws Exception {
        FakeConnection conn = server.nextConnection();
        Connect connect = conn.expect(FrameType.CONNECT, Connect.class);
        conn.send(FrameType.CONNACK, connAck.build());
        return connect;
    }

    /** The ids of the ACK frames read until at least {@code count} arrived. */
    private static List<Long> acked(FakeConnection conn, int count) throws InterruptedException {
        List<Long> acked = new ArrayList<>();
        while (acked.size() < count) {
            acked.addAll(conn.expect(FrameType.ACK, Ack.class).getMessageIdsList());
        }
        return acked;
    }

    private static LonglinkClient.Builder baseBuilder() {
        return LonglinkClient.builder()
                .appKey(APP)
                .deviceId(DEVICE)
                .token(DeviceToken.mint(SECRET, APP, DEVICE, System.currentTimeMillis() / 1000 + 3600))
                .connectTimeout(Duration.ofSeconds(5))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .random(new Random(99));
    }

    private static Push push(long id) {
        return Push.newBuilder().setMessageId(id).setPayload(ByteString.copyFromUtf8("m" + id)).build();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
