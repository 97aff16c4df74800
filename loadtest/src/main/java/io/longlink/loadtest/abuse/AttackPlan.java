package io.longlink.loadtest.abuse;

/**
 * What the attackers of phase 2 do; a count or rate of 0 leaves that attacker out.
 *
 * @param connectFloodPerS CONNECTs per second from one source address
 * @param silentSockets    sockets held open that never send a byte
 * @param pingFlooders     logged-in connections that send {@code pingsPerS} PINGs each and never read
 * @param ackFlooders      logged-in connections that ACK {@code ackIdsPerS} unknown ids each
 * @param garbagePerS      fresh sockets per second that send an oversize frame header or random bytes
 */
record AttackPlan(int connectFloodPerS, int silentSockets, int pingFlooders, int pingsPerS, int ackFlooders,
                  int ackIdsPerS, int garbagePerS) {
    AttackPlan {
        if (connectFloodPerS < 0 || silentSockets < 0 || pingFlooders < 0 || pingsPerS < 1 || ackFlooders < 0
                || ackIdsPerS < 1 || garbagePerS < 0) {
            throw new IllegalArgumentException("counts and rates: >= 0, per-connection rates >= 1 (got " + this + ")");
        }
    }

    /** Nothing attacks: phase 2 measures the healthy devices alone once more. */
    static AttackPlan none() {
        return new AttackPlan(0, 0, 0, 1, 0, 1, 0);
    }

    boolean any() {
        return connectFloodPerS > 0 || silentSockets > 0 || pingFlooders > 0 || ackFlooders > 0 || garbagePerS > 0;
    }
}
