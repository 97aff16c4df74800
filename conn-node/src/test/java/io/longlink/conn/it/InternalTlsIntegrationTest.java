package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.longlink.common.testing.TestPki;
import io.longlink.conn.ConnNode;
import io.longlink.conn.testing.TestNodes;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.KickRequest;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conn-nodes with internal TLS: their gRPC port serves only callers with a certificate of the
 * cluster CA (routers, peers), and their kicks to each other go over mutual TLS.
 */
@ExtendWith(Infra.class)
class InternalTlsIntegrationTest {
    @TempDir
    static Path dir;
    static TestPki cluster;
    static TestRedis redis;
    static TestRedis.App app;
    static ConnNode node;
    static ConnNode peer;

    @BeforeAll
    static void start(RedisServer redisServer, TestingServer zk) throws Exception {
        cluster = TestPki.create(dir, "cluster");
        redis = new TestRedis(redisServer.uri(), false);
        app = redis.newApp();
        node = start(redisServer, zk, "conn-a");
        peer = start(redisServer, zk, "conn-b");
    }

    private static ConnNode start(RedisServer redisServer, TestingServer zk, String name) throws Exception {
        TestNodes nodes = TestNodes.on(redisServer.uri(), zk, "internal-tls-it");
        TestPki.settings(cluster.issue(name)).forEach(nodes::set);
        return nodes.start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {peer, node, redis}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void kick_whenCallerPresentsNoCertificate_thenUnavailableAndDeviceStays() throws Exception {
        TestPki.NodeCert ca = cluster.issue("unused");
        assertRefused(b -> b.sslContext(sslContext(null, ca)), "no-cert");
    }

    @Test
    void kick_whenCallerCertificateFromAnotherCa_thenUnavailableAndDeviceStays() throws Exception {
        TestPki.NodeCert stranger = TestPki.create(dir, "stranger").issue("router-x");
        // trusts the cluster CA, so only the node can be the one that refuses
        TestPki.NodeCert trusting = new TestPki.NodeCert(stranger.cert(), stranger.key(), cluster.issue("y").ca());
        assertRefused(b -> b.sslContext(sslContext(trusting, trusting)), "stranger");
    }

    @Test
    void kick_whenCallerIsPlaintext_thenUnavailableAndDeviceStays() throws Exception {
        assertRefused(NettyChannelBuilder::usePlaintext, "plaintext");
    }

    @Test
    void deliver_whenRouterHasACertificateOfTheCluster_thenPushWritten() throws Exception {
        try (TestDevice d = TestDevice.connect(node.deviceAddress());
             TestRouter router = new TestRouter(node.grpcPort(), TestPki.tls(cluster.issue("router-1")))) {
            ConnAck ack = d.loginLive(node, app, "reached");
            List<Outcome> out = router.deliver(router.nextBatch(),
                    TestRouter.delivery(app.key(), "reached", ack.getSessionId(), TestRouter.push(7, "over mTLS")));

            assertThat(out).containsExactly(Outcome.WRITTEN);
            Push push = d.read().push();
            assertThat(push.getMessageId()).isEqualTo(7);
            assertThat(push.getPayload().toStringUtf8()).isEqualTo("over mTLS");
        }
    }

    @Test
    void connect_whenSameDeviceOnAnotherNode_thenOldKickedOverMutualTls() throws Exception {
        try (TestDevice old = TestDevice.connect(node.deviceAddress());
             TestDevice fresh = TestDevice.connect(peer.deviceAddress())) {
            old.loginLive(node, app, "roamer");
            fresh.loginOk(app.connectFrame("roamer", 60));

            List<TestDevice.Frame> frames = old.readUntilClosed(Duration.ofSeconds(10));
            assertThat(frames).extracting(TestDevice.Frame::frameType).containsExactly(FrameType.KICK, FrameType.ERROR);
            assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.KICKED);
        }
    }

    /** A Kick from a caller built by {@code secure} fails UNAVAILABLE, and the device it names stays. */
    private static void assertRefused(UnaryOperator<NettyChannelBuilder> secure, String device) throws Exception {
        try (TestDevice d = TestDevice.connect(node.deviceAddress())) {
            ConnAck ack = d.loginLive(node, app, device);
            ManagedChannel channel = secure.apply(NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort())).build();
            try {
                KickRequest kick = KickRequest.newBuilder().setAppKey(app.key()).setDeviceId(device)
                        .setConnectionId(ack.getSessionId()).setReason("an outsider").build();
                assertThatThrownBy(() -> ConnNodeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .kick(kick)).isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            d.pingPong();
            assertThat(node.sessionIndex().find(app.key(), device)).isNotNull();
        }
    }

    /** A client context that trusts {@code trust}'s CA and presents {@code identity}'s certificate, or none. */
    private static io.netty.handler.ssl.SslContext sslContext(TestPki.NodeCert identity, TestPki.NodeCert trust) {
        try {
            var builder = GrpcSslContexts.forClient().trustManager(trust.ca().toFile());
            if (identity != null) {
                builder.keyManager(identity.cert().toFile(), identity.key().toFile());
            }
            return builder.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
