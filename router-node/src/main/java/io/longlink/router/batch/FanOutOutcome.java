package io.longlink.router.batch;

import io.longlink.proto.internal.FanOutResponse;

/**
 * One FanOut of a round to one conn-node, after its retries.
 *
 * @param response the conn-node's answer when {@link State#OK}, else null
 * @param cause why it failed when {@link State#FAILED} or {@link State#GIVEN_UP}, else null
 */
record FanOutOutcome(Message message, String nodeId, State state, FanOutResponse response, String cause) {
    enum State {
        /** Answered. */
        OK,
        /** Still failing after router.fanout-retry-ms, or not answered within the round's bound. */
        FAILED,
        /** The node left membership (its devices reconnect elsewhere), or an online-only FanOut failed. */
        GIVEN_UP
    }

    /** Its batch must not be committed: routed again, the FanOut is sent again. */
    boolean holdsBatch() {
        return state == State.FAILED && message.stores();
    }
}
