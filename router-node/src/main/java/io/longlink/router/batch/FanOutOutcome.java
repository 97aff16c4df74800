package io.longlink.router.batch;

import io.longlink.proto.internal.FanOutResponse;

/**
 * One FanOut call of a round.
 *
 * @param response the conn-node's answer when {@link State#OK}, else null
 * @param cause why it failed when {@link State#FAILED}, else null
 */
record FanOutOutcome(Message message, String nodeId, State state, FanOutResponse response, String cause) {
    enum State {
        /** Answered within its deadline. */
        OK,
        /** Failed, or not answered within its deadline. */
        FAILED,
        /** A spread fan-out: answered when its spread ends; the round does not wait for it. */
        SPREAD
    }
}
