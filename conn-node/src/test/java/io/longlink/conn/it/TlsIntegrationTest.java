package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.conn.testing.TestNodes;
import io.longlink.proto.device.FrameType;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.curator.test.TestingServer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The device listeners (TCP and MQTT) with TLS (conn.tls.cert / conn.tls.key), with a keytool self-signed cert. */
@ExtendWith(Infra.class)
class TlsIntegrationTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    void connect_whenTlsConfigured_thenTlsWorksOnBothListenersAndPlainTcpIsRefused(
            RedisServer redisServer, TestingServer zk, @TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", new String(PASSWORD));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        Certificate cert = ks.getCertificate("node");
        PrivateKey key = (PrivateKey) ks.getKey("node", PASSWORD);
        Path certPem = dir.resolve("cert.pem");
        Path keyPem = dir.resolve("key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8

        try (TestRedis redis = new TestRedis(redisServer.uri(), false)) {
            TestRedis.App app = redis.newApp();
            ConnNode node = TestNodes.on(redisServer.uri(), zk, "tls-it")
                    .set(ConnSettings.TLS_CERT, certPem)
                    .set(ConnSettings.TLS_KEY, keyPem)
                    .set(ConnSettings.MQTT_PORT, 0)
                    .start();
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("node", cert);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(null, tmf.getTrustManagers(), null);

                try (TestDevice d = TestDevice.connectTls(node.deviceAddress(), tls)) {
                    d.loginOk(app.connectFrame("secure", 60));
                    d.pingPong();
                }
                // the MQTT listener speaks the same TLS: Paho over ssl:// with the node's certificate trusted
                MqttClient mqtt = new MqttClient("ssl://127.0.0.1:" + node.mqttAddress().getPort(), "secure-mqtt",
                        new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                o.setUserName(app.key());
                o.setPassword(app.token("secure-mqtt").toCharArray());
                o.setSocketFactory(tls.getSocketFactory());
                mqtt.connect(o);
                assertThat(mqtt.isConnected()).isTrue();
                mqtt.disconnect();
                mqtt.close();
                // a plaintext CONNECT is not a TLS record: the handshake fails and the socket closes
                try (TestDevice plain = TestDevice.connect(node.deviceAddress())) {
                    plain.send(FrameType.CONNECT, app.connectFrame("plain", 60));
                    assertThat(plain.readUntilClosed(java.time.Duration.ofSeconds(5)))
                            .noneMatch(f -> f.frameType() == FrameType.CONNACK);
                }
                // a client that does not trust the node's certificate is refused by its own TLS stack
                SSLContext untrusting = SSLContext.getInstance("TLS");
                untrusting.init(null, null, null);
                try (TestDevice d = TestDevice.connectTls(node.deviceAddress(), untrusting)) {
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.login(TestDevice.connectFrame(
                            app.key(), "x", "y", 60))).isInstanceOf(SSLHandshakeException.class);
                }
            } finally {
                node.close();
            }
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        String[] cmd = new String[args.length + 1];
        cmd[0] = keytool.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }
}
