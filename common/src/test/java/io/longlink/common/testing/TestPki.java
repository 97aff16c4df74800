package io.longlink.common.testing;

import static java.util.Objects.requireNonNull;

import io.longlink.common.config.Config;
import io.longlink.common.config.Setting;
import io.longlink.common.grpc.InternalTls;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A throwaway cluster CA in a test's directory, issuing node certificates as docs/operations.md
 * describes them (EC P-256, serverAuth and clientAuth), for nodes and test peers with internal TLS.
 */
public final class TestPki {
    private final Path dir;
    private final X509Bundle ca;
    private final Path caFile;

    private TestPki(Path dir, X509Bundle ca, Path caFile) {
        this.dir = dir;
        this.ca = ca;
        this.caFile = caFile;
    }

    /** A new CA named {@code name}; its files go to {@code dir} (a @TempDir). */
    public static TestPki create(Path dir, String name) throws Exception {
        requireNonNull(dir, "dir");
        X509Bundle ca = new CertificateBuilder().subject("CN=" + name).ecp256().setIsCertificateAuthority(true)
                .buildSelfSigned();
        return new TestPki(dir, ca, Files.writeString(dir.resolve(name + "-ca.pem"), ca.getCertificatePEM()));
    }

    /** The PEM files of one node's certificate. */
    public record NodeCert(Path cert, Path key, Path ca) {
    }

    /** A node certificate signed by this CA, written as {@code <node>.pem} and {@code <node>.key}. */
    public NodeCert issue(String node) throws Exception {
        X509Bundle cert = new CertificateBuilder().subject("CN=" + node).ecp256().addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
        return new NodeCert(Files.writeString(dir.resolve(node + ".pem"), cert.getCertificatePEM()),
                Files.writeString(dir.resolve(node + ".key"), cert.getPrivateKeyPEM()), caFile);
    }

    /** The internal TLS settings of a node holding {@code cert}. */
    public static Map<Setting<?>, Object> settings(NodeCert cert) {
        Map<Setting<?>, Object> s = new LinkedHashMap<>();
        s.put(InternalTls.ENABLED, true);
        s.put(InternalTls.CERT, cert.cert());
        s.put(InternalTls.KEY, cert.key());
        s.put(InternalTls.CA, cert.ca());
        return s;
    }

    /** What a node holding {@code cert} uses, for a test peer (a router, a conn-node's gRPC side). */
    public static InternalTls tls(NodeCert cert) throws Exception {
        Map<String, String> env = new HashMap<>();
        settings(cert).forEach((s, v) -> env.put(s.envName(), String.valueOf(v)));
        return InternalTls.from(Config.load(null, env, InternalTls.settings()));
    }
}
