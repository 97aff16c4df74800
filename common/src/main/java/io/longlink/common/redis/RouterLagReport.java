package io.longlink.common.redis;

import java.nio.charset.StandardCharsets;

/**
 * What a router reports in {@link RedisKeys#routerLag} a few times a second: how far behind the
 * pushes it routes it is ({@code behindMs}: the age, since the API accepted it, of the oldest push
 * of its round in progress or of the rounds it finished in the last second or two) and when it said
 * so ({@code atMs}, its clock). Stored as the ASCII text {@code behindMs:atMs}. The api-nodes read
 * every router's report and refuse fan-outs while the worst fresh one is over their bound.
 */
public record RouterLagReport(long behindMs, long atMs) {
    public RouterLagReport {
        if (behindMs < 0 || atMs < 0) {
            throw new IllegalArgumentException("behindMs " + behindMs + ", atMs " + atMs + " (expected: 0 or more)");
        }
    }

    public byte[] encode() {
        return (behindMs + ":" + atMs).getBytes(StandardCharsets.US_ASCII);
    }

    /** The report in {@code value}, or null when it is not one (another version's format, a stray write). */
    public static RouterLagReport parse(byte[] value) {
        if (value == null) {
            return null;
        }
        String s = new String(value, StandardCharsets.US_ASCII);
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return null;
        }
        try {
            long behind = Long.parseLong(s, 0, colon, 10);
            long at = Long.parseLong(s, colon + 1, s.length(), 10);
            return behind < 0 || at < 0 ? null : new RouterLagReport(behind, at);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
