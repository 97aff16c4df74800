package io.longlink.router.deliver;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryBatch;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This router's connection to one conn-node: one channel, one long-lived Deliver stream with at
 * most {@code maxInflight} batches awaiting their result, and at most {@code maxFanOuts} FanOut
 * calls running (more wait in a bounded queue). Nothing here waits: a batch that cannot
 * be sent (too many in flight, stream down and not yet due to reopen) fails at once, and one that
 * gets no result within {@code timeoutMs} fails then; either way the router leaves the message in
 * the inbox. A timeout also resets the stream, because results come back in order and everything
 * behind a lost one is suspect.
 *
 * <p>A batch that timed out or failed on the stream is sent again in the background, after
 * {@link DeliverRetries#backoffMs()}, at most {@link DeliverRetries#max()} times, through a bounded
 * FIFO of this link (full: dropped and counted). Nobody waits for these retries, so they never hold
 * up the Kafka commit: every message of a Deliver batch is already in its device's inbox (the
 * router writes the inbox before it delivers), which is all the commit rule asks for. A batch the
 * conn-node did write before the timeout is written twice; the device drops the copy by id.
 */
public final class ConnNodeLink implements DeliveryLink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnNodeLink.class);
    private static final int MAX_QUEUED_FANOUTS = 10_000;

    private final String nodeId;
    private final String address;
    private final ManagedChannel channel;
    private final ConnNodeGrpc.ConnNodeStub stub;
    private final int maxInflight;
    private final int maxFanOuts;
    private final long timeoutMs;
    private final long retryNanos;
    private final Object lock = new Object();
    /** Guarded by lock: the open stream, or null. */
    private Stream stream;
    /** Guarded by lock. */
    private long brokenAtNanos;
    /** Guarded by lock. */
    private long nextBatchId;
    /** Guarded by lock: FanOut calls sent and not yet answered, and those waiting for a slot. */
    private int fanOutsRunning;
    private final java.util.ArrayDeque<QueuedFanOut> fanOutQueue = new java.util.ArrayDeque<>();
    private final DeliverRetries retries;
    /** Guarded by lock: batches waiting for their retry, in due order (one backoff for all). */
    private final java.util.ArrayDeque<Retry> retryQueue = new java.util.ArrayDeque<>();
    /** Guarded by lock: a task is scheduled to send the head of retryQueue when due. */
    private boolean retryTimerArmed;
    private volatile boolean closed;

    ConnNodeLink(String nodeId, String address, int maxInflight, int maxFanOuts, long timeoutMs, long retryMs) {
        this(nodeId, address, maxInflight, maxFanOuts, timeoutMs, retryMs, DeliverRetries.NONE);
    }

    ConnNodeLink(String nodeId, String address, int maxInflight, int maxFanOuts, long timeoutMs, long retryMs,
                 DeliverRetries retries) {
        this.retries = requireNonNull(retries, "retries");
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.address = requireNonNull(address, "address");
        this.maxInflight = maxInflight;
        this.maxFanOuts = maxFanOuts;
        this.timeoutMs = timeoutMs;
        this.retryNanos = TimeUnit.MILLISECONDS.toNanos(retryMs);
        this.brokenAtNanos = System.nanoTime() - retryNanos;
        this.channel = NettyChannelBuilder.forTarget(address)
                .usePlaintext()
                .directExecutor()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .maxInboundMessageSize(4 * 1024 * 1024)
                .build();
        this.stub = ConnNodeGrpc.newStub(channel);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    public String address() {
        return address;
    }

    /**
     * Sends one batch with its {@code ack_wait_ms}; the result has one outcome per delivery, in order.
     * The conn-node may answer up to {@code ackWaitMs} later than it would otherwise, so the result's
     * deadline is that much longer. When it fails (timeout, stream reset, link not open now) the batch
     * is also queued for a background retry, which waits for no ACK (its copies are in the inboxes by
     * then).
     */
    @Override
    public CompletableFuture<DeliveryResult> deliver(List<Delivery> deliveries, int ackWaitMs) {
        CompletableFuture<DeliveryResult> result = send(deliveries, ackWaitMs);
        if (retries.max() > 0) {
            result.whenComplete((r, e) -> {
                if (e != null) {
                    retryLater(deliveries, 1);
                }
            });
        }
        return result;
    }

    private CompletableFuture<DeliveryResult> send(List<Delivery> deliveries, int ackWaitMs) {
        CompletableFuture<DeliveryResult> result = new CompletableFuture<>();
        Stream s;
        long id;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new LinkUnavailableException("conn-node " + nodeId + " left"));
            }
            if (stream == null) {
                if (System.nanoTime() - brokenAtNanos < retryNanos) {
                    return CompletableFuture.failedFuture(new LinkUnavailableException(
                            "Deliver stream to " + nodeId + " failed recently; reopening after router.link-retry-ms"));
                }
                Stream fresh = new Stream();
                stream = fresh;
                // may fail at once (on this thread) when the node cannot be reached, which clears stream
                fresh.requests = stub.deliver(fresh);
            }
            s = stream;
            if (s == null) {
                return CompletableFuture.failedFuture(new LinkUnavailableException(
                        "Deliver stream to " + nodeId + " could not be opened"));
            }
            if (s.pending.size() >= maxInflight) {
                return CompletableFuture.failedFuture(new LinkUnavailableException(
                        maxInflight + " batches in flight to " + nodeId + " (router.deliver-max-inflight)"));
            }
            id = ++nextBatchId;
            s.pending.put(id, new Pending(result, deliveries.size()));
            s.requests.onNext(DeliveryBatch.newBuilder().setBatchId(id).addAllDeliveries(deliveries)
                    .setAckWaitMs(ackWaitMs).build());
        }
        long deadlineMs = timeoutMs + ackWaitMs;
        // on timeout the stream is reset before the batch fails, so the caller's next batch sees the reset
        CompletableFuture.delayedExecutor(deadlineMs, TimeUnit.MILLISECONDS).execute(() -> {
            if (s.pending.remove(id) != null) {
                broken(s, Status.DEADLINE_EXCEEDED.withDescription("no result for batch " + id + " within "
                        + deadlineMs + " ms"));
                result.completeExceptionally(new TimeoutException("no result from " + nodeId + " for batch " + id
                        + " within " + deadlineMs + " ms (router.deliver-timeout-ms + router.ack-wait-ms)"));
            }
        });
        return result;
    }

    // ---- background retries of failed Deliver batches ----

    /** Queues {@code deliveries} for retry number {@code attempt}, or drops them when the queue is full. */
    private void retryLater(List<Delivery> deliveries, int attempt) {
        boolean arm;
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (retryQueue.size() >= retries.queueMax()) {
                retries.events().accept("dropped", deliveries.size());
                log.warn("Deliver retry queue full; batch left in the inboxes node_id={} deliveries={}"
                        + " (router.deliver-retry-queue-max)", nodeId, deliveries.size());
                return;
            }
            retryQueue.add(new Retry(deliveries, attempt, System.nanoTime()
                    + TimeUnit.MILLISECONDS.toNanos(retries.backoffMs())));
            arm = !retryTimerArmed;
            retryTimerArmed = true;
        }
        if (arm) {
            armRetryTimer(retries.backoffMs());
        }
    }

    private void armRetryTimer(long delayMs) {
        CompletableFuture.delayedExecutor(Math.max(1, delayMs), TimeUnit.MILLISECONDS).execute(this::sendDueRetries);
    }

    /** Sends every due retry; one timer per link at most, re-armed for the next one due. */
    private void sendDueRetries() {
        List<Retry> due = new java.util.ArrayList<>();
        long nextDelayMs = -1;
        synchronized (lock) {
            if (closed) {
                retryTimerArmed = false;
                return;
            }
            long now = System.nanoTime();
            while (!retryQueue.isEmpty() && retryQueue.peek().dueNanos() - now <= 0) {
                due.add(retryQueue.poll());
            }
            if (retryQueue.isEmpty()) {
                retryTimerArmed = false;
            } else {
                nextDelayMs = TimeUnit.NANOSECONDS.toMillis(retryQueue.peek().dueNanos() - now) + 1;
            }
        }
        for (Retry r : due) {
            retries.events().accept("sent", r.deliveries().size());
            send(r.deliveries(), 0).whenComplete((result, e) -> retried(r, result, e));
        }
        if (nextDelayMs >= 0) {
            armRetryTimer(nextDelayMs);
        }
    }

    private void retried(Retry r, DeliveryResult result, Throwable e) {
        if (e == null) {
            int written = 0;
            for (int i = 0; i < result.getOutcomesCount(); i++) {
                if (result.getOutcomes(i) == io.longlink.proto.internal.Outcome.WRITTEN) {
                    written++;
                }
            }
            retries.events().accept("written", written);
            // NOT_HERE, STALE_ROUTE, REJECTED: a definite answer; the inbox keeps the message for the device
            retries.events().accept("not_written", result.getOutcomesCount() - written);
            return;
        }
        if (r.attempt() < retries.max()) {
            retryLater(r.deliveries(), r.attempt() + 1);
        } else if (!closed) {
            retries.events().accept("gave_up", r.deliveries().size());
            log.warn("Deliver batch not answered after {} retries; left in the inboxes node_id={} deliveries={}"
                    + " cause=\"{}\"", retries.max(), nodeId, r.deliveries().size(), e.getMessage());
        }
    }

    private record Retry(List<Delivery> deliveries, int attempt, long dueNanos) {
    }

    /**
     * Sends a FanOut now if fewer than {@code maxFanOuts} are running on this node, else queues it
     * (a conn-node serves a bounded number at once and refuses the rest). The deadline runs from
     * the moment the call is sent.
     */
    @Override
    public CompletableFuture<FanOutResponse> fanOut(FanOutRequest request, long deadlineMs) {
        QueuedFanOut call = new QueuedFanOut(request, deadlineMs, new CompletableFuture<>());
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new LinkUnavailableException("conn-node " + nodeId + " left"));
            }
            if (fanOutsRunning >= maxFanOuts) {
                if (fanOutQueue.size() >= MAX_QUEUED_FANOUTS) {
                    return CompletableFuture.failedFuture(new LinkUnavailableException(
                            MAX_QUEUED_FANOUTS + " FanOuts already queued for " + nodeId));
                }
                fanOutQueue.add(call);
                return call.result();
            }
            fanOutsRunning++;
        }
        send(call);
        return call.result();
    }

    private void send(QueuedFanOut call) {
        call.result().whenComplete((r, e) -> {
            QueuedFanOut next;
            synchronized (lock) {
                next = fanOutQueue.poll();
                if (next == null) {
                    fanOutsRunning--;
                }
            }
            if (next != null) {
                send(next);
            }
        });
        stub.withDeadlineAfter(call.deadlineMs(), TimeUnit.MILLISECONDS).fanOut(call.request(), new StreamObserver<>() {
            @Override
            public void onNext(FanOutResponse value) {
                call.result().complete(value);
            }

            @Override
            public void onError(Throwable t) {
                call.result().completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                call.result().completeExceptionally(
                        new LinkUnavailableException("FanOut to " + nodeId + " ended without an answer"));
            }
        });
    }

    private record QueuedFanOut(FanOutRequest request, long deadlineMs, CompletableFuture<FanOutResponse> result) {
    }

    /** Ends {@code s} (if still current) and fails what it had in flight. */
    private void broken(Stream s, Status why) {
        synchronized (lock) {
            if (stream == s) {
                stream = null;
                brokenAtNanos = System.nanoTime();
                log.warn("Deliver stream reset node_id={} address={} cause=\"{}\"", nodeId, address, why);
                try {
                    if (s.requests != null) {
                        s.requests.onError(why.asRuntimeException());
                    }
                } catch (RuntimeException alreadyClosed) {
                    // the stream ended on its own already
                }
            }
        }
        failAll(s, why);
    }

    private static void failAll(Stream s, Status why) {
        for (Map.Entry<Long, Pending> e : s.pending.entrySet()) {
            if (s.pending.remove(e.getKey()) != null) {
                e.getValue().result.completeExceptionally(why.asRuntimeException());
            }
        }
    }

    @Override
    public void close() {
        Stream s;
        List<QueuedFanOut> queued;
        synchronized (lock) {
            closed = true;
            retryQueue.clear(); // the node left: its devices reconnect elsewhere and get the inbox then
            s = stream;
            stream = null;
            queued = new java.util.ArrayList<>(fanOutQueue);
            fanOutQueue.clear();
        }
        Status gone = Status.UNAVAILABLE.withDescription("conn-node " + nodeId + " left");
        if (s != null) {
            failAll(s, gone);
        }
        queued.forEach(q -> q.result().completeExceptionally(gone.asRuntimeException()));
        channel.shutdownNow();
    }

    private record Pending(CompletableFuture<DeliveryResult> result, int size) {
    }

    /** One Deliver call; gRPC calls its observer methods one at a time. */
    private final class Stream implements StreamObserver<DeliveryResult> {
        final Map<Long, Pending> pending = new ConcurrentHashMap<>();
        StreamObserver<DeliveryBatch> requests;

        @Override
        public void onNext(DeliveryResult r) {
            Pending p = pending.remove(r.getBatchId());
            if (p == null) {
                return; // timed out already
            }
            if (r.getOutcomesCount() != p.size()) {
                p.result().completeExceptionally(new LinkUnavailableException("conn-node " + nodeId + " answered batch "
                        + r.getBatchId() + " with " + r.getOutcomesCount() + " outcomes (expected: " + p.size() + ")"));
                return;
            }
            p.result().complete(r);
        }

        @Override
        public void onError(Throwable t) {
            broken(this, Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            broken(this, Status.UNAVAILABLE.withDescription("conn-node " + nodeId + " ended the Deliver stream"));
        }
    }
}
