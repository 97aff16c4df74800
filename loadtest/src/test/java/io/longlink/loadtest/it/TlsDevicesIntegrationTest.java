package io.longlink.loadtest.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.testing.TestPki;
import io.longlink.common.token.DeviceToken;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.conn.testing.TestNodes;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.ConnectListener;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.client.PushListener;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Single paced connects, over TLS and plain TCP, against a real conn-node whose device port speaks TLS. */
@ExtendWith(Infra.class)
class TlsDevicesIntegrationTest {
    private static final long EXPIRY = System.currentTimeMillis() / 1000 + 3_600;

    @Test
    void connect_whenNodeSpeaksTls_thenTlsClientGetsConnAckAndPlainClientDoesNot(RedisServer redis, TestingServer zk,
                                                                                @TempDir Path dir) throws Exception {
        TestPki.NodeCert cert = TestPki.create(dir, "devices").issue("conn-tls");
        String appKey = "lt-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = UUID.randomUUID().toString();
        redis.command("HSET " + RedisKeys.app(appKey) + " " + RedisKeys.APP_SECRET + " " + secret);
        ConnNode node = TestNodes.on(redis.uri(), zk, "tls-devices").set(ConnSettings.TLS_CERT, cert.cert())
                .set(ConnSettings.TLS_KEY, cert.key()).start();
        try {
            SslContext tls = SslContextBuilder.forClient().trustManager(cert.ca().toFile()).build();
            try (LoadGenerator overTls = generator(node, Optional.of(tls))) {
                assertThat(connect(overTls, appKey, secret, "secure").get(30, TimeUnit.SECONDS)).isEqualTo("connected");
            }
            try (LoadGenerator plain = generator(node, Optional.empty())) {
                assertThat(connect(plain, appKey, secret, "plain").get(30, TimeUnit.SECONDS)).isNotEqualTo("connected");
            }
        } finally {
            node.close();
        }
    }

    private static LoadGenerator generator(ConnNode node, Optional<SslContext> tls) throws Exception {
        InetSocketAddress device = node.deviceAddress();
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(device.getHostString()), device.getPort());
        return new LoadGenerator(new GeneratorSettings(remote, GeneratorSettings.loopbackSources(1), 1, 1,
                Duration.ofSeconds(10), GeneratorSettings.MAX_FRAME_BYTES), () -> PushListener.NONE, tls);
    }

    /** "connected", or the reason the connect failed. */
    private static CompletableFuture<String> connect(LoadGenerator gen, String appKey, String secret, String device) {
        CompletableFuture<String> ended = new CompletableFuture<>();
        byte[] frame = ConnectFrames.forDevice(appKey, device, DeviceToken.mint(secret, appKey, device, EXPIRY), 30);
        gen.connect(0, frame, new ConnectListener() {
            @Override
            public void connected(Channel channel) {
                ended.complete("connected");
            }

            @Override
            public void failed(String reason) {
                ended.complete(reason);
            }
        });
        return ended;
    }
}
