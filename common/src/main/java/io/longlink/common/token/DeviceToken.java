package io.longlink.common.token;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Device tokens: {@code v1.<expiry unix seconds>.<base64url, no padding, of HMAC-SHA256>} where the
 * MAC is keyed with the app secret (UTF-8) over {@code "v1\n" + appKey + "\n" + deviceId + "\n" + expiry}.
 * Documented in docs/protocol.md so any language can mint or check one.
 */
public final class DeviceToken {
    private static final String VERSION = "v1";
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private DeviceToken() {
    }

    public static String mint(String secret, String appKey, String deviceId, long expiresAtEpochSeconds) {
        requireNonNull(secret, "secret");
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("secret: empty (expected the app's secret)");
        }
        return VERSION + "." + expiresAtEpochSeconds + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac(secret, appKey, deviceId, expiresAtEpochSeconds));
    }

    /** Checks a token; the outcome says which part failed. */
    public static Verdict verify(String token, String secret, String appKey, String deviceId, long nowEpochSeconds) {
        if (token == null || secret == null || secret.isEmpty()) {
            return Verdict.BAD;
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first < 0 || second < 0 || !token.startsWith(VERSION + ".") || first != VERSION.length()) {
            return Verdict.BAD;
        }
        long expiry;
        try {
            expiry = Long.parseLong(token, first + 1, second, 10);
        } catch (NumberFormatException e) {
            return Verdict.BAD;
        }
        // One spelling per token: the expiry and the signature must read exactly as mint writes them
        // (no leading zeros or sign, no base64 padding, no stray low bits in the last character).
        byte[] expected = mint(secret, appKey, deviceId, expiry).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), expected)) {
            return Verdict.BAD;
        }
        return expiry < nowEpochSeconds ? Verdict.EXPIRED : Verdict.VALID;
    }

    private static byte[] mac(String secret, String appKey, String deviceId, long expiry) {
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String input = VERSION + "\n" + appKey + "\n" + deviceId + "\n" + expiry;
        return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
    }

    public enum Verdict {
        VALID, BAD, EXPIRED
    }
}
