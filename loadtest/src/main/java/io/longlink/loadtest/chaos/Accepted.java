package io.longlink.loadtest.chaos;

/**
 * A push a call answered with a message id. {@code rank} orders the pushes of one caller by
 * acceptance (call order, then entry order within a batch); {@code targets} are device indexes
 * (shared arrays for tags, aliases and broadcast: never modified).
 */
record Accepted(long id, PushKind kind, int ttlSeconds, long acceptedMs, int caller, long rank, int[] targets) {
}
