package io.longlink.router.batch;

import io.longlink.proto.internal.Outcome;

/** What became of one copy, as the longlink_router_deliveries_total label counts it. */
enum CopyOutcome {
    ACKED("acked"),
    WRITTEN("written"),
    NOT_HERE("not_here"),
    STALE_ROUTE("stale_route"),
    REJECTED("rejected"),
    /** Its DeliveryBatch failed or was not answered in time, or the answer was unreadable. */
    FAILED("failed"),
    /** No route, or a route to a conn-node this router has no link to. */
    OFFLINE("offline");

    final String label;

    CopyOutcome(String label) {
        this.label = label;
    }

    /** Reached its device live (acknowledged or written). */
    boolean online() {
        return this == ACKED || this == WRITTEN;
    }

    /**
     * A conn-node's answer for one copy. A copy that was not awaited is in its inbox, so its ACKED
     * counts as WRITTEN: the ACK is counted where it removes the inbox entry.
     */
    static CopyOutcome of(Outcome o, boolean awaited) {
        return switch (o) {
            case ACKED -> awaited ? ACKED : WRITTEN;
            case WRITTEN -> WRITTEN;
            case NOT_HERE -> NOT_HERE;
            case STALE_ROUTE -> STALE_ROUTE;
            case REJECTED -> REJECTED;
            default -> FAILED;
        };
    }
}
