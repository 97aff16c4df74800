package io.longlink.api.receipt;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One StreamReceipts caller: a bounded queue drained while gRPC says the caller can take more.
 * The hub's consumer thread offers, gRPC's onReady drains; the work-in-progress counter lets
 * exactly one thread at a time touch the observer, which is not thread-safe. A caller that falls
 * {@code maxQueued} receipts behind is ended with RESOURCE_EXHAUSTED rather than buffered without bound.
 */
final class ReceiptSubscriber {
    private final String appKey;
    private final Set<ReceiptKind> kinds;
    private final ServerCallStreamObserver<Receipt> out;
    private final int maxQueued;
    private final Queue<Receipt> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    /** Set once; the draining thread sends it after (or, for failures, instead of) the queue. */
    private volatile Status terminal;
    private volatile boolean done;

    ReceiptSubscriber(String appKey, Set<ReceiptKind> kinds, ServerCallStreamObserver<Receipt> out, int maxQueued) {
        this.appKey = requireNonNull(appKey, "appKey");
        this.kinds = Set.copyOf(kinds);
        this.out = requireNonNull(out, "out");
        this.maxQueued = maxQueued;
    }

    String appKey() {
        return appKey;
    }

    boolean isDone() {
        return done;
    }

    boolean wants(ReceiptKind kind) {
        return kinds.isEmpty() || kinds.contains(kind);
    }

    /** Called from the consumer thread. */
    void offer(Receipt receipt) {
        if (terminal != null) {
            return;
        }
        if (queued.incrementAndGet() > maxQueued) {
            end(Status.RESOURCE_EXHAUSTED.withDescription("receipts: more than " + maxQueued
                    + " receipts waiting for this caller (expected: a caller that reads as fast as receipts arrive);"
                    + " call StreamReceipts again, or consume the receipts topic directly"));
            return;
        }
        queue.add(receipt);
        drain();
    }

    /** Ends the stream: OK completes it after the queued receipts, any other status fails it at once. */
    void end(Status status) {
        if (terminal == null) {
            terminal = status;
        }
        drain();
    }

    /** Caller went away: stop without sending anything. */
    void cancelled() {
        done = true;
        terminal = Status.CANCELLED;
        queue.clear();
    }

    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            if (done) {
                queue.clear();
            } else {
                Status end = terminal;
                if (end != null && !end.isOk()) {
                    finish(end);
                } else {
                    Receipt r;
                    while (out.isReady() && (r = queue.poll()) != null) {
                        queued.decrementAndGet();
                        out.onNext(r);
                    }
                    if (end != null && queue.isEmpty()) {
                        finish(end);
                    }
                }
            }
        } while (wip.decrementAndGet() != 0);
    }

    private void finish(Status status) {
        done = true;
        queue.clear();
        try {
            if (status.isOk()) {
                out.onCompleted();
            } else {
                out.onError(status.asRuntimeException());
            }
        } catch (RuntimeException alreadyClosed) {
            // the caller is gone already
        }
    }
}
