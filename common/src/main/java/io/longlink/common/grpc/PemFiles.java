package io.longlink.common.grpc;

import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Reads the PEM files of {@link InternalTls}; each problem names the setting whose file it is. */
final class PemFiles {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private PemFiles() {
    }

    static List<X509Certificate> certificates(Setting<String> setting, String path) throws ConfigException {
        byte[] pem = read(setting, path);
        List<X509Certificate> certs = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                certs.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw problem(setting, path, "holds no readable certificate (" + e.getMessage() + ")", "PEM certificates");
        }
        if (certs.isEmpty()) {
            throw problem(setting, path, "holds no certificate", "PEM certificates");
        }
        return certs;
    }

    static PrivateKey privateKey(Setting<String> setting, String path) throws ConfigException {
        String pem = new String(read(setting, path), StandardCharsets.US_ASCII);
        int begin = pem.indexOf(KEY_BEGIN);
        int end = pem.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            String found = pem.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key"
                    : pem.contains("RSA PRIVATE KEY") || pem.contains("EC PRIVATE KEY") ? "a PKCS#1/SEC1 key"
                    : "no private key";
            throw problem(setting, path, "holds " + found, "an unencrypted PEM PKCS#8 key, 'BEGIN PRIVATE KEY';"
                    + " convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw problem(setting, path, "holds a damaged key", "an unencrypted PEM PKCS#8 key");
        }
        for (String algorithm : new String[] {"RSA", "EC", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // the next algorithm
            }
        }
        throw problem(setting, path, "holds a key of an unsupported type", "an RSA, EC or Ed25519 PKCS#8 key");
    }

    /** Fails unless {@code key} signs what the public key of {@code cert} verifies. */
    static void checkMatches(PrivateKey key, X509Certificate cert) throws ConfigException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "EdDSA";
        };
        byte[] probe = "longlink internal TLS key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw InternalTls.problem(InternalTls.KEY.key() + ": does not match the certificate in "
                    + InternalTls.CERT.key() + " (subject \"" + cert.getSubjectX500Principal()
                    + "\"; expected: the private key of that certificate)");
        }
    }

    private static byte[] read(Setting<String> setting, String path) throws ConfigException {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw problem(setting, path, "is not a readable file (" + e.getClass().getSimpleName() + ")",
                    "a PEM file");
        }
    }

    private static ConfigException problem(Setting<String> setting, String path, String what, String expected) {
        return InternalTls.problem(setting.key() + ": '" + path + "' " + what + " (expected: " + expected + ")");
    }
}
