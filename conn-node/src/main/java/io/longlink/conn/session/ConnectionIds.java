package io.longlink.conn.session;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection ids: a random 64-bit start per node process plus a counter, so an id is never reused,
 * not even by a restarted node with the same node id (a stale route or kick cannot hit a new
 * connection). Written as 16 lowercase hex digits.
 */
public final class ConnectionIds {
    private final AtomicLong next = new AtomicLong(new SecureRandom().nextLong());

    public long next() {
        return next.incrementAndGet();
    }

    /** The last id handed out: every connection id so far is at or below it (compare by subtraction, ids wrap). */
    public long current() {
        return next.get();
    }

    public static String format(long id) {
        String hex = Long.toHexString(id);
        return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
    }

    /** @return the id, or {@code fallback} when the text is not 1..16 hex digits */
    public static long parse(String text, long fallback) {
        if (text == null || text.isEmpty() || text.length() > 16) {
            return fallback;
        }
        try {
            return Long.parseUnsignedLong(text, 16);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
