package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.Outcome;
import io.longlink.router.deliver.DeliveryLink;
import io.longlink.router.deliver.DeliveryLinks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends copies as DeliveryBatches, one per conn-node and {@code router.deliver-batch-max} copies, all
 * in flight at once, and waits until they (and a round's FanOuts) settled, each within its own timeout.
 */
final class DeliveryBatches {
    // the batch's log lines keep the logger their readers know
    private static final Logger log = LoggerFactory.getLogger(BatchRouter.class);

    private final DeliveryLinks links;
    private final BatchRouter.Limits limits;

    DeliveryBatches(DeliveryLinks links, BatchRouter.Limits limits) {
        this.links = requireNonNull(links, "links");
        this.limits = requireNonNull(limits, "limits");
    }

    /**
     * Sends the items grouped by conn-node. With {@code awaitAcks}, copies of {@link Message#awaitAck}
     * messages wait for their ACK (a batch with one such copy asks for {@code router.ack-wait-ms}).
     */
    <T> List<Sent<T>> send(Map<DeliveryLink, List<T>> byLink, Function<T, Copy> copyOf, boolean awaitAcks) {
        List<Sent<T>> sent = new ArrayList<>();
        int max = limits.deliverBatchMax();
        for (Map.Entry<DeliveryLink, List<T>> e : byLink.entrySet()) {
            List<T> items = e.getValue();
            for (int from = 0; from < items.size(); from += max) {
                List<T> chunk = items.subList(from, Math.min(items.size(), from + max));
                List<Delivery> deliveries = new ArrayList<>(chunk.size());
                boolean awaits = false;
                for (T item : chunk) {
                    Copy c = copyOf.apply(item);
                    boolean await = awaitAcks && c.message().awaitAck;
                    deliveries.add(Delivery.newBuilder().setAppKey(c.message().appKey).setDeviceId(c.deviceId())
                            .setConnectionId(c.route().connectionId()).setPush(c.message().command.getPush())
                            .setAwaitAck(await).build());
                    awaits |= await;
                }
                sent.add(new Sent<>(chunk, e.getKey().deliver(deliveries, awaits ? limits.ackWaitMs() : 0)));
            }
        }
        return sent;
    }

    /**
     * Waits for every batch and FanOut; one still open when the bound passes counts as not delivered
     * (each carries its own timeout, and a FanOut's retries their own bound, so that is a safety net).
     *
     * @param maxSpreadMs the longest spread_ms of the FanOuts
     */
    void awaitSettled(List<? extends Sent<?>> sent, List<CompletableFuture<FanOutResponse>> fanOuts, int maxSpreadMs) {
        List<CompletableFuture<?>> all = new ArrayList<>(sent.size() + fanOuts.size());
        sent.forEach(s -> all.add(s.result().handle((r, e) -> null)));
        fanOuts.forEach(f -> all.add(f.handle((r, e) -> null)));
        long bound = Math.max(limits.deliverTimeoutMs() + limits.ackWaitMs(), fanOutBoundMs(fanOuts.size(), maxSpreadMs))
                + 1_000;
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(bound, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("deliveries did not settle within {} ms; unsettled ones count as not delivered", bound);
        }
    }

    /**
     * FanOuts beyond fanOutMaxInflight per node run in turns, each with its own deadline; a retry may
     * start until router.fanout-retry-ms after the first and take one more deadline.
     */
    private long fanOutBoundMs(int fanOuts, int maxSpreadMs) {
        if (fanOuts == 0) {
            return 0;
        }
        long perNode = links.size() == 0 ? fanOuts : (fanOuts + links.size() - 1) / links.size();
        long turns = Math.max(1, (perNode + limits.fanOutMaxInflight() - 1) / limits.fanOutMaxInflight());
        long deadline = limits.fanOutTimeoutMs() + maxSpreadMs;
        return deadline * turns + limits.fanOutRetryMs() + deadline;
    }

    /** Hands each item its conn-node's outcome, in order: null when its batch failed or was not answered. */
    static <T> void outcomes(List<Sent<T>> sent, BiConsumer<T, Outcome> each) {
        for (Sent<T> s : sent) {
            DeliveryResult result = s.resultOrNull();
            for (int i = 0; i < s.items.size(); i++) {
                each.accept(s.items.get(i), result == null ? null : result.getOutcomes(i));
            }
        }
    }

    /** One DeliveryBatch in flight: its items, in the order of its deliveries. */
    record Sent<T>(List<T> items, CompletableFuture<DeliveryResult> result) {
        /** The conn-node's answer, or null when the batch failed or was not answered in time. */
        DeliveryResult resultOrNull() {
            return result.isDone() && !result.isCompletedExceptionally() ? result.join() : null;
        }
    }
}
