package io.longlink.common.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;

/**
 * Mutual TLS of the internal gRPC plane (router to conn, conn to conn, api to conn): every node
 * presents its certificate and accepts only peers whose certificate the cluster CA signed. A
 * server requires a client certificate. The client checks the server's chain against the CA but
 * not its host name: nodes dial each other by the address they publish in ZooKeeper, usually an IP
 * that changes with each deployment, and the cluster CA signs nothing but Longlink nodes.
 */
public final class InternalTls {
    public static final Setting<Boolean> ENABLED = Setting.bool("internal.tls.enabled", true,
            "Mutual TLS on internal gRPC (router->conn, conn->conn, api->conn); false = plaintext and"
                    + " unauthenticated, for a private network only (a warning at start)");
    public static final Setting<String> CERT = Setting.optionalString("internal.tls.cert", "",
            "PEM certificate chain of this node, signed by internal.tls.ca, valid for TLS server and client");
    public static final Setting<String> KEY = Setting.optionalString("internal.tls.key", "",
            "PEM PKCS#8 private key (unencrypted) of internal.tls.cert");
    public static final Setting<String> CA = Setting.optionalString("internal.tls.ca", "",
            "PEM certificate(s) of the cluster CA that signs every node's internal.tls.cert");

    private final SslContext server;
    private final SslContext client;
    private final String description;

    private InternalTls(SslContext server, SslContext client, String description) {
        this.server = server;
        this.client = client;
        this.description = description;
    }

    public static List<Setting<?>> settings() {
        return List.of(ENABLED, CERT, KEY, CA);
    }

    /** Plaintext internal calls (tests and tools on a trusted network). */
    public static InternalTls plaintext() {
        return new InternalTls(null, null, "plaintext");
    }

    /** Loads and checks the PEM files the settings name; fails naming the setting at fault. */
    public static InternalTls from(Config config) throws ConfigException {
        if (!config.get(ENABLED)) {
            return plaintext();
        }
        List<String> missing = new ArrayList<>();
        for (Setting<String> s : List.of(CERT, KEY, CA)) {
            if (config.get(s).isEmpty()) {
                missing.add(s.key() + ": <missing> (expected: a PEM file, since internal.tls.enabled=true;"
                        + " see docs/operations.md, Internal TLS)");
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(missing);
        }
        return of(PemFiles.certificates(CERT, config.get(CERT)), PemFiles.privateKey(KEY, config.get(KEY)),
                PemFiles.certificates(CA, config.get(CA)));
    }

    private static InternalTls of(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> ca)
            throws ConfigException {
        PemFiles.checkMatches(key, chain.get(0));
        CaTrustManager trust = CaTrustManager.of(ca);
        X509Certificate[] certs = chain.toArray(X509Certificate[]::new);
        try {
            // the node's certificate serves both ends of every internal call: catch an unfit one now
            trust.checkServerTrusted(certs, "UNKNOWN");
            trust.checkClientTrusted(certs, "UNKNOWN");
        } catch (CertificateException e) {
            throw problem(CERT.key() + ": not a valid node certificate of the CA in " + CA.key() + " (" + e.getMessage()
                    + "; expected: signed by that CA, not expired, extended key usage serverAuth and clientAuth)");
        }
        try {
            SslContext server = GrpcSslContexts.configure(SslContextBuilder.forServer(key, certs))
                    .trustManager(trust).clientAuth(ClientAuth.REQUIRE).build();
            SslContext client = GrpcSslContexts.configure(SslContextBuilder.forClient())
                    .keyManager(key, certs).trustManager(trust).build();
            return new InternalTls(server, client, "mutual TLS subject=\"" + certs[0].getSubjectX500Principal()
                    + "\" expires=" + certs[0].getNotAfter().toInstant());
        } catch (SSLException | IllegalArgumentException e) {
            throw problem(CERT.key() + "/" + KEY.key() + ": cannot build a TLS context (" + e.getMessage() + ")");
        }
    }

    static ConfigException problem(String message) {
        return new ConfigException(List.of(message));
    }

    public boolean enabled() {
        return server != null;
    }

    /** Requires a client certificate signed by the cluster CA, or leaves the server plaintext. */
    public NettyServerBuilder applyTo(NettyServerBuilder builder) {
        requireNonNull(builder, "builder");
        return enabled() ? builder.sslContext(server) : builder;
    }

    /** Presents this node's certificate and checks the server's against the CA, or dials plaintext. */
    public NettyChannelBuilder applyTo(NettyChannelBuilder builder) {
        requireNonNull(builder, "builder");
        return enabled() ? builder.sslContext(client) : builder.usePlaintext();
    }

    /** One line at start: what protects the internal plane, and a warning when nothing does. */
    public void logMode(Logger log) {
        if (enabled()) {
            log.info("internal gRPC: {}", description);
        } else {
            log.warn("internal gRPC is plaintext and unauthenticated (internal.tls.enabled=false): anyone who"
                    + " reaches a conn-node's conn.grpc.port can push to and kick its devices; keep that port on a"
                    + " private network");
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
