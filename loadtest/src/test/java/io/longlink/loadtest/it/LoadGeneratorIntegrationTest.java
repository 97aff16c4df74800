package io.longlink.loadtest.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.redis.RedisKeys;
import io.longlink.loadtest.client.ConnectBatch;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.testsupport.FreePorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The generator against a real conn-node, Redis and ZooKeeper, over real loopback sockets. */
class LoadGeneratorIntegrationTest {
    private static final long EXPIRY = System.currentTimeMillis() / 1000 + 3_600;
    @RegisterExtension
    static final TestConnNode conn = TestConnNode.withHeartbeatMax(2);
    private LoadGenerator generator;
    private String appKey;
    private String secret;

    @BeforeEach
    void newApp() {
        appKey = "lt-" + UUID.randomUUID().toString().substring(0, 8);
        secret = UUID.randomUUID().toString();
        conn.createApp(appKey, secret);
    }

    @AfterEach
    void closeGenerator() {
        if (generator != null) {
            generator.close();
        }
    }

    private LoadGenerator generator(InetSocketAddress remote, int maxInFlight) throws Exception {
        InetSocketAddress resolved = new InetSocketAddress(InetAddress.getByName(remote.getHostString()),
                remote.getPort());
        generator = new LoadGenerator(new GeneratorSettings(resolved, GeneratorSettings.loopbackSources(4), 2,
                maxInFlight, Duration.ofSeconds(10), 16_384));
        return generator;
    }

    /** Opens a connection per CONNECT frame and waits until each was answered or failed. */
    private static ConnectBatch opened(LoadGenerator gen, List<byte[]> connectFrames) throws Exception {
        ConnectBatch batch = gen.open(connectFrames);
        batch.done().get(60, TimeUnit.SECONDS);
        return batch;
    }

    private long routes() {
        String reply = conn.redis().command("EVAL \"return #redis.call('keys', ARGV[1])\" 0 "
                + RedisKeys.ROUTE + "{" + appKey + ":*");
        return Long.parseLong(reply.substring(1));
    }

    @Test
    void open_whenTokensValid_thenAllConnectWithRoutesAndBoundedInFlight() throws Exception {
        int n = 300;
        LoadGenerator gen = generator(conn.node().deviceAddress(), 16);

        ConnectBatch batch = opened(gen, ConnectFrames.forDevices(appKey, secret, "d", n, 60, EXPIRY));

        assertThat(batch.connected()).isEqualTo(n);
        assertThat(batch.failures()).isEmpty();
        assertThat(batch.connectsPerSecond()).isPositive();
        assertThat(batch.latencyMicros(0.99)).isGreaterThanOrEqualTo(batch.latencyMicros(0.5)).isPositive();
        assertThat(conn.node().sessionIndex().size()).isEqualTo(n);
        await().atMost(Duration.ofSeconds(10)).until(this::routes, r -> r == n);

        gen.disconnect(batch).get(30, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).until(this::routes, r -> r == 0);
        assertThat(gen.drops()).isEmpty();
    }

    @Test
    void idle_whenHeartbeatShort_thenPingsKeepConnectionsAlivePastTheIdleWindow() throws Exception {
        int n = 50;
        LoadGenerator gen = generator(conn.node().deviceAddress(), 50);
        // The node grants at most 2 s and evicts after 2 x 2 s without a frame.
        ConnectBatch batch = opened(gen, ConnectFrames.forDevices(appKey, secret, "hb", n, 2, EXPIRY));
        assertThat(batch.connected()).isEqualTo(n);

        // Three PINGs each is past the 4 s idle window.
        await().atMost(Duration.ofSeconds(20)).until(gen::pongs, p -> p >= 3L * n);

        assertThat(gen.pings()).isGreaterThanOrEqualTo(gen.pongs());
        assertThat(gen.drops()).isEmpty();
        assertThat(conn.node().sessionIndex().size()).isEqualTo(n);
        gen.disconnect(batch).get(30, TimeUnit.SECONDS);
    }

    @Test
    void open_whenTokensSignedWithWrongSecret_thenEveryConnectFailsWithBadToken() throws Exception {
        LoadGenerator gen = generator(conn.node().deviceAddress(), 8);

        ConnectBatch batch = opened(gen, ConnectFrames.forDevices(appKey, "not-the-secret", "bad", 20, 60, EXPIRY));

        assertThat(batch.connected()).isZero();
        assertThat(batch.failures()).isEqualTo(Map.of("connack_bad_token", 20L));
        assertThat(routes()).isZero();
    }

    @Test
    void open_whenAppUnknown_thenConnackUnknownApp() throws Exception {
        LoadGenerator gen = generator(conn.node().deviceAddress(), 8);

        ConnectBatch batch = opened(gen, ConnectFrames.forDevices("no-such-app", secret, "x", 5, 60, EXPIRY));

        assertThat(batch.failures()).isEqualTo(Map.of("connack_unknown_app", 5L));
    }

    @Test
    void open_whenNothingListens_thenConnectRefusedCounted() throws Exception {
        int port = FreePorts.next();
        LoadGenerator gen = generator(new InetSocketAddress("127.0.0.1", port), 4);

        ConnectBatch batch = gen.open(ConnectFrames.forDevices(appKey, secret, "r", 10, 60, EXPIRY));
        batch.done().get(30, TimeUnit.SECONDS);

        assertThat(batch.failures()).isEqualTo(Map.of("connect_refused", 10L));
    }

    @Test
    void open_whenEmpty_thenDoneAtOnce() throws Exception {
        ConnectBatch batch = generator(conn.node().deviceAddress(), 4).open(List.of());

        assertThat(batch.done()).isCompleted();
        assertThat(batch.connectsPerSecond()).isZero();
    }
}
