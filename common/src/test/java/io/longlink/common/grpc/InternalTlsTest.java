package io.longlink.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import io.longlink.common.testing.TestPki;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalTlsTest {
    @TempDir
    Path dir;

    @Test
    void from_whenDisabled_thenPlaintext() throws Exception {
        InternalTls tls = load(Map.of(InternalTls.ENABLED, false));

        assertThat(tls.enabled()).isFalse();
    }

    @Test
    void from_whenNodeCertificateOfTheCa_thenMutualTls() throws Exception {
        TestPki.NodeCert cert = TestPki.create(dir, "cluster").issue("conn-1");

        InternalTls tls = load(TestPki.settings(cert));

        assertThat(tls.enabled()).isTrue();
        assertThat(tls.toString()).contains("CN=conn-1");
    }

    @Test
    void from_whenEnabledWithoutFiles_thenNamesEveryMissingKey() {
        assertThatThrownBy(() -> load(Map.of(InternalTls.ENABLED, true)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3)
                        .anySatisfy(p -> assertThat(p).startsWith("internal.tls.cert: <missing>"))
                        .anySatisfy(p -> assertThat(p).startsWith("internal.tls.key: <missing>"))
                        .anySatisfy(p -> assertThat(p).startsWith("internal.tls.ca: <missing>")));
    }

    @Test
    void from_whenCertUnreadable_thenNamesCert() throws Exception {
        Map<Setting<?>, Object> s = TestPki.settings(TestPki.create(dir, "cluster").issue("conn-1"));
        s.put(InternalTls.CERT, dir.resolve("absent.pem"));

        assertThatThrownBy(() -> load(s)).hasMessageContaining("internal.tls.cert: '" + dir.resolve("absent.pem")
                + "' is not a readable file");
    }

    @Test
    void from_whenKeyOfAnotherCertificate_thenNamesKey() throws Exception {
        TestPki pki = TestPki.create(dir, "cluster");
        Map<Setting<?>, Object> s = TestPki.settings(pki.issue("conn-1"));
        s.put(InternalTls.KEY, pki.issue("conn-2").key());

        assertThatThrownBy(() -> load(s))
                .hasMessageContaining("internal.tls.key: does not match the certificate in internal.tls.cert");
    }

    @Test
    void from_whenKeyNotPkcs8_thenNamesKeyAndTheConversion() throws Exception {
        Map<Setting<?>, Object> s = TestPki.settings(TestPki.create(dir, "cluster").issue("conn-1"));
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        s.put(InternalTls.KEY, pkcs1);

        assertThatThrownBy(() -> load(s)).hasMessageContaining("internal.tls.key: '" + pkcs1 + "' holds a PKCS#1/SEC1 key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void from_whenCertSignedByAnotherCa_thenNamesCert() throws Exception {
        Map<Setting<?>, Object> s = TestPki.settings(TestPki.create(dir, "other").issue("conn-1"));
        s.put(InternalTls.CA, TestPki.create(dir, "cluster").issue("x").ca());

        assertThatThrownBy(() -> load(s))
                .hasMessageContaining("internal.tls.cert: not a valid node certificate of the CA in internal.tls.ca");
    }

    @Test
    void from_whenCertExpired_thenNamesCert() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=cluster").ecp256().setIsCertificateAuthority(true)
                .buildSelfSigned();
        X509Bundle node = new CertificateBuilder().subject("CN=conn-1").ecp256()
                .notBefore(Instant.now().minus(10, ChronoUnit.DAYS)).notAfter(Instant.now().minus(1, ChronoUnit.DAYS))
                .addExtendedKeyUsageServerAuth().addExtendedKeyUsageClientAuth().buildIssuedBy(ca);

        assertThatThrownBy(() -> load(pem(ca, node))).hasMessageContaining("internal.tls.cert: not a valid node"
                + " certificate");
    }

    @Test
    void from_whenCertOnlyForServers_thenNamesCert() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=cluster").ecp256().setIsCertificateAuthority(true)
                .buildSelfSigned();
        X509Bundle node = new CertificateBuilder().subject("CN=conn-1").ecp256().addExtendedKeyUsageServerAuth()
                .buildIssuedBy(ca);

        assertThatThrownBy(() -> load(pem(ca, node))).hasMessageContaining("internal.tls.cert: not a valid node"
                + " certificate").hasMessageContaining("clientAuth");
    }

    private Map<Setting<?>, Object> pem(X509Bundle ca, X509Bundle node) throws Exception {
        Map<Setting<?>, Object> s = new HashMap<>();
        s.put(InternalTls.ENABLED, true);
        s.put(InternalTls.CERT, Files.writeString(dir.resolve("node.pem"), node.getCertificatePEM()));
        s.put(InternalTls.KEY, Files.writeString(dir.resolve("node.key"), node.getPrivateKeyPEM()));
        s.put(InternalTls.CA, Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM()));
        return s;
    }

    private static InternalTls load(Map<Setting<?>, Object> settings) throws ConfigException {
        Map<String, String> env = new HashMap<>();
        settings.forEach((s, v) -> env.put(s.envName(), String.valueOf(v)));
        return InternalTls.from(Config.load(null, env, InternalTls.settings()));
    }
}
