package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.router.batch.FanOutOutcome.State;
import io.longlink.router.deliver.DeliveryLink;
import io.longlink.router.deliver.DeliveryLinks;
import io.longlink.router.store.BatchStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tag or broadcast message goes to every live conn-node as one FanOut call, which matches the
 * node's own connections. A spread fan-out is answered when its spread ends: the round does not
 * wait for it, and its answer is counted when it comes, after the batch was committed.
 */
final class FanOuts {
    // the batch's log lines keep the logger their readers know
    private static final Logger log = LoggerFactory.getLogger(BatchRouter.class);

    private final DeliveryLinks links;
    private final BatchStore store;
    private final RouterMetrics metrics;
    private final long timeoutMs;

    FanOuts(DeliveryLinks links, BatchStore store, RouterMetrics metrics, long timeoutMs) {
        this.links = requireNonNull(links, "links");
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        this.timeoutMs = timeoutMs;
    }

    /** Sends the accepted tag and broadcast messages to every live conn-node. */
    List<Call> send(Admitted admitted) {
        List<Call> calls = new ArrayList<>();
        for (Message m : admitted.messages()) {
            if (!admitted.verdict(m).accepted() || !m.isFanOut()) {
                continue;
            }
            FanOutRequest.Builder req = FanOutRequest.newBuilder().setAppKey(m.appKey).setPush(m.command.getPush())
                    .setSpreadMs(m.command.getSpreadMs()).setLogPosition(admitted.logPosition(m));
            if (m.command.getBroadcast()) {
                req.setBroadcast(true);
            } else {
                req.setFilter(m.command.getTags());
            }
            FanOutRequest request = req.build();
            int spreadMs = m.command.getSpreadMs();
            for (DeliveryLink link : links.all()) {
                CompletableFuture<FanOutResponse> f = link.fanOut(request, timeoutMs + spreadMs);
                if (spreadMs > 0) {
                    f.whenComplete((r, e) -> lateFanOut(m.id, link.nodeId(), r, e));
                }
                calls.add(new Call(m, link.nodeId(), f, spreadMs > 0));
            }
        }
        return calls;
    }

    /** What the round waits for: the calls that are not spread. */
    static List<CompletableFuture<FanOutResponse>> awaited(List<Call> calls) {
        List<CompletableFuture<FanOutResponse>> awaited = new ArrayList<>(calls.size());
        for (Call c : calls) {
            if (!c.spread) {
                awaited.add(c.result);
            }
        }
        return awaited;
    }

    /** Once the round settled: each call's outcome, counted and (a failure) logged. */
    List<FanOutOutcome> outcomes(List<Call> calls) {
        List<FanOutOutcome> outcomes = new ArrayList<>(calls.size());
        for (Call c : calls) {
            if (c.spread) {
                outcomes.add(new FanOutOutcome(c.message, c.nodeId, State.SPREAD, null, null));
            } else if (c.result.isDone() && !c.result.isCompletedExceptionally()) {
                metrics.fanOuts.labels("ok").inc();
                outcomes.add(new FanOutOutcome(c.message, c.nodeId, State.OK, c.result.join(), null));
            } else {
                String cause = cause(c.result);
                metrics.fanOuts.labels("failed").inc();
                log.warn("FanOut failed message_id={} node_id={} cause=\"{}\"", Long.toUnsignedString(c.message.id),
                        c.nodeId, cause);
                outcomes.add(new FanOutOutcome(c.message, c.nodeId, State.FAILED, null, cause));
            }
        }
        return outcomes;
    }

    /** Counts a spread fan-out's answer when it arrives, after its batch was committed. */
    private void lateFanOut(long messageId, String nodeId, FanOutResponse r, Throwable e) {
        if (e != null) {
            metrics.fanOuts.labels("failed").inc();
            log.warn("FanOut failed message_id={} node_id={} cause=\"{}\"", Long.toUnsignedString(messageId), nodeId,
                    e.getMessage());
            return;
        }
        metrics.fanOuts.labels("ok").inc();
        if (r.getMatched() > 0) {
            store.count(messageId, RedisKeys.STAT_TARGETED, r.getMatched());
        }
        if (r.getWritten() > 0) {
            store.count(messageId, RedisKeys.STAT_ONLINE, r.getWritten());
        }
    }

    private static String cause(CompletableFuture<?> f) {
        if (!f.isDone()) {
            return "no answer";
        }
        try {
            f.join();
            return "none";
        } catch (RuntimeException e) {
            return String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
    }

    /** One FanOut call in flight. */
    record Call(Message message, String nodeId, CompletableFuture<FanOutResponse> result, boolean spread) {
    }
}
