package io.longlink.common.auth;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The data of {@code /apps/{appKey}} in ZooKeeper: how many times the app's secret was rotated and
 * when it last was. The api-node writes it after storing a new secret; conn-nodes watch it to end the
 * sessions that authenticated with an older secret. {@code key=value} lines, readable in {@code zkCli}.
 *
 * @param version   1 after the first rotation, one more after each
 * @param rotatedMs when the api-node stored the new secret (its clock, ms since the epoch)
 */
public record SecretRotation(long version, long rotatedMs) {
    public SecretRotation {
        if (version < 1) {
            throw new IllegalArgumentException("version: " + version + " (expected: at least 1)");
        }
    }

    /** The rotation after this one, at {@code nowMs}. */
    public SecretRotation next(long nowMs) {
        return new SecretRotation(version + 1, nowMs);
    }

    public byte[] encode() {
        return ("version=" + version + "\nrotated_ms=" + rotatedMs + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads what {@link #encode} wrote; throws IllegalArgumentException for anything else. */
    public static SecretRotation decode(byte[] data) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(data, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("unreadable secret rotation", e);
        }
        String version = p.getProperty("version");
        String rotated = p.getProperty("rotated_ms");
        if (version == null || rotated == null) {
            throw new IllegalArgumentException("secret rotation without version or rotated_ms");
        }
        try {
            return new SecretRotation(Long.parseLong(version.trim()), Long.parseLong(rotated.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("secret rotation: version=" + version + " rotated_ms=" + rotated, e);
        }
    }
}
