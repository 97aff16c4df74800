package io.longlink.router.batch;

import java.util.List;

/**
 * What the delivery round made of the round's copies and fan-outs.
 *
 * @param settled copies whose outcome is final, in the order the answers were read
 * @param misses awaited copies that were not acknowledged: each goes to its inbox now, with the outcome
 *     of this delivery (a WRITTEN one is in {@code settled} too: it was counted online already)
 * @param fanOuts one per FanOut call
 */
record Delivered(List<CopyResult> settled, List<CopyResult> misses, List<FanOutOutcome> fanOuts) {
}
