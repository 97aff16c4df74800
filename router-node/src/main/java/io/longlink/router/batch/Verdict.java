package io.longlink.router.batch;

import io.longlink.common.redis.RedisKeys;

/** What a message's admission found in its body key. */
enum Verdict {
    /** Nothing: this routing stored the body (or the message has none: TTL 0). */
    FIRST_ROUTING,
    /** The body of an earlier routing of the same message: a retry after a crash. */
    ROUTED_AGAIN,
    /** Revoke's tombstone: nothing is delivered or counted. */
    REVOKED;

    /** The verdict on {@code before}, what the admission's SET NX GET or GET answered. */
    static Verdict of(byte[] before) {
        if (before == null) {
            return FIRST_ROUTING;
        }
        return RedisKeys.isBody(before) ? ROUTED_AGAIN : REVOKED;
    }

    boolean accepted() {
        return this != REVOKED;
    }
}
