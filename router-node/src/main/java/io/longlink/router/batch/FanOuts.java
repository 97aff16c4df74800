package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.longlink.common.log.LogThrottle;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.router.batch.FanOutOutcome.State;
import io.longlink.router.deliver.DeliveryLink;
import io.longlink.router.deliver.DeliveryLinks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tag or broadcast message goes to every live conn-node as one FanOut call, which matches the
 * node's own connections; the round waits for every call, a spread one too (the conn-node answers
 * once it matched and wrote the first share, and counts the rest itself). A call that fails is tried
 * again for that node with backoff (100 ms doubling to 2 s) for up to {@code router.fanout-retry-ms}
 * while the node is in membership; a node that left is given up. A FanOut with a TTL still failing
 * then holds its batch back ({@link FanOutOutcome#holdsBatch}): never log and commit. An online-only
 * one is tried again only when refused unexecuted (RESOURCE_EXHAUSTED), and never holds its batch.
 */
final class FanOuts {
    // the batch's log lines keep the logger their readers know
    private static final Logger log = LoggerFactory.getLogger(BatchRouter.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 2_000;

    private final DeliveryLinks links;
    private final RouterMetrics metrics;
    private final long timeoutMs;
    private final long retryNanos;
    private final LogThrottle retries = new LogThrottle();
    private final LogThrottle failures = new LogThrottle();

    FanOuts(DeliveryLinks links, RouterMetrics metrics, long timeoutMs, long retryMs) {
        this.links = requireNonNull(links, "links");
        this.metrics = requireNonNull(metrics, "metrics");
        this.timeoutMs = timeoutMs;
        this.retryNanos = TimeUnit.MILLISECONDS.toNanos(retryMs);
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
            long giveUpAt = System.nanoTime() + retryNanos;
            for (DeliveryLink link : links.all()) {
                calls.add(new Call(m, link.nodeId(), attempt(m, link, request, giveUpAt, FIRST_BACKOFF_MS)));
            }
        }
        return calls;
    }

    /** One attempt on {@code link}, and the next after a backoff when it fails and may be tried again. */
    private CompletableFuture<FanOutResponse> attempt(Message m, DeliveryLink link, FanOutRequest request,
                                                      long giveUpAt, long backoffMs) {
        return link.fanOut(request, timeoutMs + request.getSpreadMs()).exceptionallyCompose(e -> {
            DeliveryLink current = links.link(link.nodeId());
            if (current == null) {
                return CompletableFuture.failedFuture(new NodeLeftException(link.nodeId()));
            }
            if (!m.stores() && Status.fromThrowable(e).getCode() != Status.Code.RESOURCE_EXHAUSTED
                    || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs) - giveUpAt > 0) {
                return CompletableFuture.failedFuture(e);
            }
            metrics.fanOuts.labels("retried").inc();
            long held = retries.pass();
            if (held >= 0) {
                log.info("FanOut failed; trying again message_id={} node_id={} backoff_ms={} cause=\"{}\""
                                + " retries_not_logged={}", Long.toUnsignedString(m.id), link.nodeId(), backoffMs,
                        cause(e), held);
            }
            return CompletableFuture.supplyAsync(() -> current,
                            CompletableFuture.delayedExecutor(backoffMs, TimeUnit.MILLISECONDS))
                    .thenCompose(next -> attempt(m, next, request, giveUpAt, Math.min(MAX_BACKOFF_MS, backoffMs * 2)));
        });
    }

    /** What the round waits for: every call, with its retries. */
    static List<CompletableFuture<FanOutResponse>> awaited(List<Call> calls) {
        List<CompletableFuture<FanOutResponse>> awaited = new ArrayList<>(calls.size());
        for (Call c : calls) {
            awaited.add(c.result);
        }
        return awaited;
    }

    static int maxSpreadMs(List<Call> calls) {
        int max = 0;
        for (Call c : calls) {
            max = Math.max(max, c.message.command.getSpreadMs());
        }
        return max;
    }

    /** Once the round settled: each call's outcome, counted and (a failure) logged. */
    List<FanOutOutcome> outcomes(List<Call> calls) {
        List<FanOutOutcome> outcomes = new ArrayList<>(calls.size());
        for (Call c : calls) {
            if (c.result.isDone() && !c.result.isCompletedExceptionally()) {
                metrics.fanOuts.labels("ok").inc();
                outcomes.add(new FanOutOutcome(c.message, c.nodeId, State.OK, c.result.join(), null));
                continue;
            }
            Throwable e = failure(c.result);
            boolean left = e instanceof NodeLeftException;
            State state = left || !c.message.stores() ? State.GIVEN_UP : State.FAILED;
            metrics.fanOuts.labels(left ? "given_up" : "failed").inc();
            String cause = e == null ? "no answer" : cause(e);
            long held = failures.pass();
            if (held >= 0) {
                log.warn("FanOut {} message_id={} node_id={} cause=\"{}\" fanout_failures_not_logged={}",
                        state == State.FAILED ? "failed; the batch is routed again" : left ? "given up" : "failed",
                        Long.toUnsignedString(c.message.id), c.nodeId, cause, held);
            }
            outcomes.add(new FanOutOutcome(c.message, c.nodeId, state, null, cause));
        }
        return outcomes;
    }

    /** Why the call failed, null when it is still running. */
    private static Throwable failure(CompletableFuture<?> f) {
        if (!f.isDone()) {
            return null;
        }
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static String cause(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return String.valueOf(t.getMessage());
    }

    /** One FanOut to one node, with its retries. */
    record Call(Message message, String nodeId, CompletableFuture<FanOutResponse> result) {
    }

    /** The node left membership while its FanOut failed: given up. */
    static final class NodeLeftException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NodeLeftException(String nodeId) {
            super("conn-node " + nodeId + " left membership", null, false, false);
        }
    }
}
