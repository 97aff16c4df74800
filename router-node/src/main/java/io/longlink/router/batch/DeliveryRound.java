package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.router.deliver.DeliveryLink;
import io.longlink.router.deliver.DeliveryLinks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Delivers a round: one DeliveryBatch stream per conn-node for the copies, one FanOut per conn-node
 * for each tag and broadcast message, all in flight at once and each bounded by its timeout. An
 * awaited copy ({@link Message#awaitAck}) has not been stored yet: its conn-node answers ACKED when
 * the device acknowledges it within {@code router.ack-wait-ms}, and any other answer makes it a miss.
 * A DeliveryBatch that fails (timeout, stream reset, node unreachable) counts as not delivered: its
 * copies are FAILED, and their devices get re-drained once the copies are in their inboxes.
 */
final class DeliveryRound {
    private final DeliveryLinks links;
    private final DeliveryBatches batches;
    private final FanOuts fanOuts;

    DeliveryRound(DeliveryLinks links, DeliveryBatches batches, FanOuts fanOuts) {
        this.links = requireNonNull(links, "links");
        this.batches = requireNonNull(batches, "batches");
        this.fanOuts = requireNonNull(fanOuts, "fanOuts");
    }

    Delivered deliver(Admitted admitted) {
        Map<DeliveryLink, List<Copy>> byLink = new LinkedHashMap<>();
        List<Copy> unreachable = new ArrayList<>();
        for (Copy c : admitted.copies()) {
            DeliveryLink link = c.route() == null ? null : links.link(c.route().nodeId());
            if (link == null) {
                unreachable.add(c);
            } else {
                byLink.computeIfAbsent(link, k -> new ArrayList<>()).add(c);
            }
        }
        List<DeliveryBatches.Sent<Copy>> sent = batches.send(byLink, Function.identity(), true);
        List<FanOuts.Call> calls = fanOuts.send(admitted);
        batches.awaitSettled(sent, FanOuts.awaited(calls), FanOuts.maxSpreadMs(calls));
        // outcomes are read here, on the consumer thread, after everything settled
        List<CopyResult> settled = new ArrayList<>(admitted.copies().size());
        List<CopyResult> misses = new ArrayList<>();
        DeliveryBatches.outcomes(sent, (c, o) -> sort(new CopyResult(c,
                o == null ? CopyOutcome.FAILED : CopyOutcome.of(o, c.message().awaitAck)), settled, misses));
        for (Copy c : unreachable) {
            sort(new CopyResult(c, CopyOutcome.OFFLINE), settled, misses);
        }
        return new Delivered(settled, misses, fanOuts.outcomes(calls));
    }

    /** Settled: every copy not awaited, and awaited ones that reached the device. Misses: awaited, not ACKED. */
    private static void sort(CopyResult r, List<CopyResult> settled, List<CopyResult> misses) {
        boolean awaited = r.copy().message().awaitAck;
        if (!awaited || r.outcome().online()) {
            settled.add(r); // a WRITTEN awaited copy is counted online now, and stored as a miss too
        }
        if (awaited && r.outcome() != CopyOutcome.ACKED) {
            misses.add(r);
        }
    }
}
