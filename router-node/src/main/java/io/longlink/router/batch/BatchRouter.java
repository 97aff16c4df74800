package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.common.log.LogThrottle;
import io.longlink.proto.command.PushCommand;
import io.longlink.router.deliver.DeliveryLink;
import io.longlink.router.deliver.DeliveryLinks;
import io.longlink.router.receipt.Receipts;
import io.longlink.router.store.BatchStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one polled batch of push commands, in rounds of at most {@code router.batch-max-targets}
 * devices, each round a fixed number of round trips whatever its size. {@link #route} returns only
 * when every copy of the batch is in its inbox (or the broadcast log), was acknowledged by its device,
 * or is a TTL 0 copy handed to its conn-node, and every FanOut was answered (or its node left); it
 * throws when Redis failed or a FanOut with a TTL still failed after its retries, and then nothing of
 * the batch may be committed. Online-only messages (TTL 0) for devices that are not reachable now,
 * and revoked messages, are dropped by design.
 */
public final class BatchRouter {
    private static final Logger log = LoggerFactory.getLogger(BatchRouter.class);
    static final int SLOW_ROUND_MS = 100;
    /** A finished round's lateness counts in {@link #lag()} for one to two of these. */
    static final long LAG_WINDOW_MS = 1_000;
    private static final long SLOW_ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(SLOW_ROUND_MS);

    private final DeliveryLinks links;
    private final RouterMetrics metrics;
    private final Receipts receipts;
    private final LongSupplier clock;
    private final int batchMaxTargets;
    private final AliasExpansion aliasExpansion;
    private final Admission admission;
    private final DeliveryRound deliveryRound;
    private final MissStore missStore;
    private final StatusCounts statusCounts;
    private final LogThrottle slowRounds = new LogThrottle();
    private final RouterLag lag;

    public BatchRouter(BatchStore store, DeliveryLinks links, Receipts receipts, RouterMetrics metrics,
                       LongSupplier clock, Limits limits) {
        requireNonNull(store, "store");
        this.links = requireNonNull(links, "links");
        this.metrics = requireNonNull(metrics, "metrics");
        this.receipts = requireNonNull(receipts, "receipts");
        this.clock = requireNonNull(clock, "clock");
        this.batchMaxTargets = requireNonNull(limits, "limits").batchMaxTargets();
        DeliveryBatches batches = new DeliveryBatches(links, limits);
        this.aliasExpansion = new AliasExpansion(store, limits.ackWaitMs() > 0, limits.redisTimeoutMs());
        this.admission = new Admission(store, metrics, limits);
        this.deliveryRound = new DeliveryRound(links, batches,
                new FanOuts(links, metrics, limits.fanOutTimeoutMs(), limits.fanOutRetryMs()));
        this.missStore = new MissStore(store, links, batches, limits);
        this.statusCounts = new StatusCounts(store, metrics, receipts);
        this.lag = new RouterLag(clock, LAG_WINDOW_MS);
    }

    /** How far behind the pushes it routes this router is ({@link RouterLag}). */
    public RouterLag lag() {
        return lag;
    }

    /** Numbers the router works within; see RouterSettings for each. */
    public record Limits(int batchMaxTargets, int inboxMax, int broadcastLogMax, int deliverBatchMax,
                         long deliverTimeoutMs, long fanOutTimeoutMs, long fanOutRetryMs, int fanOutMaxInflight,
                         long redisTimeoutMs, int ackWaitMs) {
    }

    public void route(List<PushCommand> commands) throws Exception {
        List<PushCommand> round = new ArrayList<>();
        int weight = 0;
        for (PushCommand c : commands) {
            int w = Message.weight(c);
            if (!round.isEmpty() && weight + w > batchMaxTargets) {
                routeRound(round);
                round = new ArrayList<>();
                weight = 0;
            }
            round.add(c);
            weight += w;
        }
        if (!round.isEmpty()) {
            routeRound(round);
        }
    }

    private void routeRound(List<PushCommand> commands) throws Exception {
        lag.roundStarted(oldestSentMs(commands));
        try {
            routeRoundTimed(commands);
        } finally {
            lag.roundEnded();
        }
    }

    /** The earliest acceptance time of {@code commands} ({@code Push.sent_at_ms}), 0 if none has one. */
    private static long oldestSentMs(List<PushCommand> commands) {
        long oldest = Long.MAX_VALUE;
        for (PushCommand c : commands) {
            long sent = c.getPush().getSentAtMs();
            if (sent > 0 && sent < oldest) {
                oldest = sent;
            }
        }
        return oldest == Long.MAX_VALUE ? 0 : oldest;
    }

    private void routeRoundTimed(List<PushCommand> commands) throws Exception {
        long now = clock.getAsLong();
        long t0 = System.nanoTime();
        List<Message> messages = aliasExpansion.messages(commands);
        long t1 = System.nanoTime();
        Admitted admitted = admission.admit(messages);
        long t2 = System.nanoTime();
        Delivered delivered = deliveryRound.deliver(admitted);
        Tally tally = new Tally(messages, metrics, receipts, now);
        tally.countCopies(delivered.settled());
        tally.countFanOuts(delivered.fanOuts());
        long t3 = System.nanoTime();
        MissStore.Stored stored = missStore.store(delivered.misses());
        tally.countCopies(stored.settled());
        tally.noteStoredMisses(delivered.misses());
        markFailed(delivered.settled());
        markFailed(delivered.misses());
        markFailed(stored.failed());
        long t4 = System.nanoTime();
        // the copies are safe; a FanOut that still fails is sent again when the batch is routed again,
        // and that routing writes the status (its first routing's status must not count half of it)
        failedFanOut(delivered.fanOuts());
        statusCounts.write(admitted, tally, drops(admitted.drops(), stored.drops()), now);
        if (t4 - t0 >= SLOW_ROUND_NANOS) {
            slowRound(messages.size(), admitted, delivered.misses().size(), t0, t1, t2, t3, t4);
        }
    }

    /**
     * A round that took {@value #SLOW_ROUND_MS} ms or more is logged with the time of each phase, at
     * most once a second (the others are counted in the next line), so that a latency spike can be
     * placed: Redis, the conn-nodes and their devices, or the second round trip for missed copies.
     */
    private void slowRound(int messages, Admitted admitted, int misses, long t0, long t1, long t2, long t3, long t4) {
        long held = slowRounds.pass();
        if (held < 0) {
            return;
        }
        log.info("slow round total_ms={} aliases_ms={} redis_ms={} deliver_ms={} misses_ms={} messages={} targets={}"
                        + " misses={} slow_rounds_not_logged={}", ms(t4 - t0), ms(t1 - t0), ms(t2 - t1), ms(t3 - t2),
                ms(t4 - t3), messages, targets(admitted), misses, held);
    }

    /** Throws when a FanOut with a TTL still failed: the batch must not be committed. */
    private static void failedFanOut(List<FanOutOutcome> fanOuts) throws FanOutFailedException {
        for (FanOutOutcome f : fanOuts) {
            if (f.holdsBatch()) {
                throw new FanOutFailedException("FanOut of message " + Long.toUnsignedString(f.message().id)
                        + " to conn-node " + f.nodeId() + " still failing after router.fanout-retry-ms: " + f.cause());
            }
        }
    }

    /** A FanOut failed for router.fanout-retry-ms to a node still in membership. */
    static final class FanOutFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        FanOutFailedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Marks the devices of copies that failed (a DeliveryBatch that failed or got no answer) dirty on
     * their link, once those copies are in the inboxes, so their conn-node writes the inbox again
     * before (or without) the next push. An online-only copy is not retried; a node that left
     * membership has no link, and its devices reconnect elsewhere.
     */
    private void markFailed(List<CopyResult> results) {
        for (CopyResult r : results) {
            Copy c = r.copy();
            if (r.outcome() == CopyOutcome.FAILED && c.message().stores()) {
                DeliveryLink link = links.link(c.route().nodeId());
                if (link != null) {
                    link.markDirty(c.message().appKey, c.deviceId(), c.route().connectionId());
                }
            }
        }
    }

    private static List<Dropped> drops(List<Dropped> admitted, List<Dropped> stored) {
        if (stored.isEmpty()) {
            return admitted;
        }
        List<Dropped> all = new ArrayList<>(admitted);
        all.addAll(stored);
        return all;
    }

    /** Devices addressed, revoked ones included. */
    private static int targets(Admitted admitted) {
        int n = 0;
        for (Message m : admitted.messages()) {
            n += m.devices.size();
        }
        return n;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
