package io.longlink.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.sdk.testing.FakeConnection;
import io.longlink.sdk.testing.FakeServer;
import io.longlink.sdk.testing.RecordingListener;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS against a test peer holding a self-signed certificate for 127.0.0.1 (src/test/resources/tls). */
class TlsIntegrationTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void loadCertificate() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsIntegrationTest.class.getResourceAsStream("/tls/server.p12")) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);

        Certificate cert = keys.getCertificate("server");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("longlink-test", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);
    }

    @Test
    void tls_whenServerCertificateTrusted_thenSessionAndPushFlow() throws Exception {
        RecordingListener events = new RecordingListener();
        try (FakeServer server = FakeServer.startTls(serverContext.getServerSocketFactory());
             LonglinkClient client = builder(server).sslSocketFactory(clientContext.getSocketFactory())
                     .listener(events).ackWindow(Duration.ofMillis(20)).build()) {
            client.start();
            FakeConnection conn = server.nextConnection();
            conn.acceptSession();
            assertThat(client.awaitConnected(WAIT)).isTrue();
            conn.send(FrameType.PUSH, Push.newBuilder().setMessageId(31).setPayload(ByteString.copyFromUtf8("secret")).build());
            assertThat(conn.expect(FrameType.ACK, Ack.class).getMessageIdsList()).containsExactly(31L);
            assertThat(events.messages).singleElement().satisfies(m -> assertThat(m.payloadUtf8()).isEqualTo("secret"));
        }
    }

    @Test
    void tls_whenServerCertificateUntrusted_thenHandshakeFailsAndClientRetries() throws Exception {
        RecordingListener events = new RecordingListener();
        try (FakeServer server = FakeServer.startTls(serverContext.getServerSocketFactory());
             LonglinkClient client = builder(server).tls(true).listener(events).build()) {
            client.start();
            await().atMost(WAIT).until(() -> events.disconnects.size() >= 2);
            assertThat(events.connected).isEmpty();
            assertThat(events.disconnects).allSatisfy(d -> {
                assertThat(d.code()).isEqualTo(DisconnectCode.NETWORK);
                assertThat(d.reason()).contains("SSLHandshakeException");
                assertThat(d.willRetry()).isTrue();
            });
        }
    }

    private static LonglinkClient.Builder builder(FakeServer server) {
        return LonglinkClient.builder().servers(server.address()).appKey("demo").deviceId("tls-device")
                .token("v1.0.x").connectTimeout(Duration.ofSeconds(5))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50));
    }
}
