package io.longlink.conn.rpc;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.longlink.proto.internal.DeliveryBatch;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.Outcome;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router's Deliver stream. Inbound flow control is manual: the stream asks for
 * {@code window} batches, and for one more only after a result went out and the router can take
 * results (isReady), so a router never has more than {@code window} batches in flight and a router
 * that stops reading results stops getting its batches taken. Results go out in batch order even
 * when the event loops finish batches out of order.
 */
final class DeliverStream implements StreamObserver<DeliveryBatch> {
    private static final Logger log = LoggerFactory.getLogger(DeliverStream.class);

    private final ServerCallStreamObserver<DeliveryResult> call;
    private final Deliveries deliveries;
    /** Guards pending, owed, halfClosed and every call to {@code call} (a StreamObserver is not thread-safe). */
    private final Object lock = new Object();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private int owed;
    private boolean halfClosed;

    private static final class Pending {
        final long batchId;
        Outcome[] outcomes;

        Pending(long batchId) {
            this.batchId = batchId;
        }
    }

    DeliverStream(ServerCallStreamObserver<DeliveryResult> call, Deliveries deliveries, int window) {
        this.call = requireNonNull(call, "call");
        this.deliveries = requireNonNull(deliveries, "deliveries");
        call.disableAutoRequest();
        call.setOnReadyHandler(this::onReady);
        call.setOnCancelHandler(() -> log.debug("deliver stream cancelled by the router"));
        call.request(window);
    }

    @Override
    public void onNext(DeliveryBatch batch) {
        Pending p = new Pending(batch.getBatchId());
        synchronized (lock) {
            pending.add(p);
        }
        deliveries.dispatch(batch, outcomes -> complete(p, outcomes));
    }

    private void complete(Pending p, Outcome[] outcomes) {
        synchronized (lock) {
            p.outcomes = outcomes;
            while (!pending.isEmpty() && pending.peek().outcomes != null) {
                Pending head = pending.poll();
                if (call.isCancelled()) {
                    continue;
                }
                call.onNext(DeliveryResult.newBuilder().setBatchId(head.batchId)
                        .addAllOutcomes(Arrays.asList(head.outcomes)).build());
                owed++;
            }
            requestOwed();
            if (halfClosed && pending.isEmpty() && !call.isCancelled()) {
                call.onCompleted();
            }
        }
    }

    private void onReady() {
        synchronized (lock) {
            requestOwed();
        }
    }

    private void requestOwed() {
        if (owed > 0 && !halfClosed && !call.isCancelled() && call.isReady()) {
            call.request(owed);
            owed = 0;
        }
    }

    @Override
    public void onError(Throwable t) {
        log.debug("deliver stream ended by the router error=\"{}\"", t.toString());
    }

    @Override
    public void onCompleted() {
        synchronized (lock) {
            halfClosed = true;
            if (pending.isEmpty()) {
                call.onCompleted();
            }
        }
    }
}
