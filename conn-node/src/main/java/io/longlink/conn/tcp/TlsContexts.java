package io.longlink.conn.tcp;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import javax.net.ssl.SSLException;

/** The device listener's TLS context from PEM files (conn.tls.cert / conn.tls.key), or none. */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** @return null when both paths are empty (plain TCP) */
    public static SslContext server(String certPath, String keyPath) {
        if (certPath.isEmpty() && keyPath.isEmpty()) {
            return null;
        }
        File cert = new File(certPath);
        File key = new File(keyPath);
        if (!cert.canRead()) {
            throw new IllegalStateException("conn.tls.cert: '" + certPath + "' is not a readable file");
        }
        if (!key.canRead()) {
            throw new IllegalStateException("conn.tls.key: '" + keyPath + "' is not a readable file");
        }
        try {
            return SslContextBuilder.forServer(cert, key)
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("conn.tls.cert/conn.tls.key: cannot load '" + certPath + "' and '"
                    + keyPath + "' (expected: PEM certificate chain and PEM PKCS#8 private key): " + e.getMessage(), e);
        }
    }
}
