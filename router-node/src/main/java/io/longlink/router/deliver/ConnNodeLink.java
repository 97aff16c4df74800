package io.longlink.router.deliver;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
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
import io.longlink.common.grpc.InternalTls;
import io.longlink.common.log.LogThrottle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ObjIntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This router's connection to one conn-node: one channel, one long-lived Deliver stream with at
 * most {@code maxInflight} batches awaiting their result, and at most {@code maxFanOuts} FanOut
 * calls running (more wait in a bounded queue). Nothing here waits: a batch that cannot
 * be sent (too many in flight, stream down and not yet due to reopen, channel in
 * TRANSIENT_FAILURE) fails at once, and one that gets no result within {@code timeoutMs} fails
 * then; either way the router leaves the message in the inbox and marks the device dirty
 * ({@link #markDirty}), and {@link Redrains} makes the conn-node write that inbox again. A timeout
 * also resets the stream, because results come back in order and everything behind a lost one is
 * suspect.
 */
public final class ConnNodeLink implements DeliveryLink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnNodeLink.class);
    private static final int MAX_QUEUED_FANOUTS = 10_000;
    /** Devices a link keeps marked dirty at most. */
    static final int MAX_DIRTY = 100_000;

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
    private final ArrayDeque<QueuedFanOut> fanOutQueue = new ArrayDeque<>();
    private final Redrains redrains;
    private final LogThrottle resets = new LogThrottle();
    private volatile boolean closed;

    ConnNodeLink(String nodeId, String address, int maxInflight, int maxFanOuts, long timeoutMs, long retryMs) {
        this(nodeId, address, maxInflight, maxFanOuts, timeoutMs, retryMs, MAX_DIRTY, (event, n) -> { },
                InternalTls.plaintext());
    }

    /**
     * @param maxDirty devices marked dirty at most (then every delivery carries redrain until none is)
     * @param events   counts re-drain events (see {@link Redrains})
     * @param tls      mutual TLS of the internal plane, or plaintext
     */
    ConnNodeLink(String nodeId, String address, int maxInflight, int maxFanOuts, long timeoutMs, long retryMs,
                 int maxDirty, ObjIntConsumer<String> events, InternalTls tls) {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.address = requireNonNull(address, "address");
        this.maxInflight = maxInflight;
        this.maxFanOuts = maxFanOuts;
        this.timeoutMs = timeoutMs;
        this.retryNanos = TimeUnit.MILLISECONDS.toNanos(retryMs);
        this.brokenAtNanos = System.nanoTime() - retryNanos;
        this.channel = tls.applyTo(NettyChannelBuilder.forTarget(address))
                .directExecutor()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .maxInboundMessageSize(4 * 1024 * 1024)
                .build();
        this.stub = ConnNodeGrpc.newStub(channel);
        // the first background re-drain once the reset stream may reopen
        this.redrains = new Redrains(nodeId, maxDirty, retryMs, this::send, events);
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
     * deadline is that much longer. A delivery to a device marked dirty carries {@code redrain}.
     */
    @Override
    public CompletableFuture<DeliveryResult> deliver(List<Delivery> deliveries, int ackWaitMs) {
        return redrains.deliver(deliveries, ackWaitMs);
    }

    @Override
    public void markDirty(String appKey, String deviceId, String connectionId) {
        redrains.mark(appKey, deviceId, connectionId);
    }

    /** Devices marked dirty and not re-drained yet. */
    int dirtyDevices() {
        return redrains.dirtyDevices();
    }

    private CompletableFuture<DeliveryResult> send(List<Delivery> deliveries, int ackWaitMs) {
        CompletableFuture<DeliveryResult> result = new CompletableFuture<>();
        Stream s;
        long id;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new LinkUnavailableException("conn-node " + nodeId + " left"));
            }
            if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
                // unreachable now: do not wait for ZooKeeper to tell that it is gone
                return CompletableFuture.failedFuture(new LinkUnavailableException(
                        "conn-node " + nodeId + " unreachable (channel in TRANSIENT_FAILURE)"));
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
                long held = resets.pass();
                if (held >= 0) {
                    log.warn("Deliver stream reset node_id={} address={} cause=\"{}\" resets_not_logged={}", nodeId,
                            address, describe(why), held);
                }
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

    /** The status on one line: code, description and the cause's message. */
    private static String describe(Status why) {
        Throwable cause = why.getCause();
        return why.getCode() + (why.getDescription() == null ? "" : ": " + why.getDescription())
                + (cause == null ? "" : " (" + cause.getMessage() + ")");
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
            s = stream;
            stream = null;
            queued = new ArrayList<>(fanOutQueue);
            fanOutQueue.clear();
        }
        Status gone = Status.UNAVAILABLE.withDescription("conn-node " + nodeId + " left");
        if (s != null) {
            failAll(s, gone);
        }
        queued.forEach(q -> q.result().completeExceptionally(gone.asRuntimeException()));
        // the node left: its devices reconnect elsewhere and get their inboxes then
        redrains.close();
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
