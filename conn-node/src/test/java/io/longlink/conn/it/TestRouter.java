package io.longlink.conn.it;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.longlink.common.grpc.InternalTls;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryBatch;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.Outcome;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Plays a router-node: one Deliver stream to a conn-node, plus blocking FanOut and Kick stubs. */
public final class TestRouter implements AutoCloseable {
    private final ManagedChannel channel;
    private final BlockingQueue<DeliveryResult> results = new LinkedBlockingQueue<>();
    private final StreamObserver<DeliveryBatch> stream;
    private volatile Throwable streamError;
    private final AtomicLong batchIds = new AtomicLong();

    public TestRouter(int grpcPort) {
        this(grpcPort, InternalTls.plaintext());
    }

    /** A router that calls with {@code tls} (its node certificate), as a router with internal TLS does. */
    public TestRouter(int grpcPort, InternalTls tls) {
        channel = tls.applyTo(NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)).build();
        stream = ConnNodeGrpc.newStub(channel).deliver(new StreamObserver<>() {
            @Override
            public void onNext(DeliveryResult r) {
                results.add(r);
            }

            @Override
            public void onError(Throwable t) {
                streamError = t;
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    /** The next DeliveryBatch id of this stream: 1, 2, ... */
    public long nextBatch() {
        return batchIds.incrementAndGet();
    }

    public static Delivery delivery(String app, String device, String connectionId, Push push) {
        return Delivery.newBuilder().setAppKey(app).setDeviceId(device).setConnectionId(connectionId).setPush(push)
                .build();
    }

    public static Push push(long id, String payload) {
        return Push.newBuilder().setMessageId(id).setPayload(com.google.protobuf.ByteString.copyFromUtf8(payload))
                .setSentAtMs(System.currentTimeMillis()).build();
    }

    public synchronized void send(long batchId, List<Delivery> deliveries) {
        send(batchId, 0, deliveries);
    }

    /** A batch whose await_ack deliveries may be answered ACKED within {@code ackWaitMs}. */
    public synchronized void send(long batchId, int ackWaitMs, List<Delivery> deliveries) {
        stream.onNext(DeliveryBatch.newBuilder().setBatchId(batchId).setAckWaitMs(ackWaitMs)
                .addAllDeliveries(deliveries).build());
    }

    /** The delivery as a router sends a copy it has not stored: answered ACKED if acknowledged in time. */
    public static Delivery awaited(Delivery d) {
        return d.toBuilder().setAwaitAck(true).build();
    }

    public DeliveryResult nextResult() throws InterruptedException {
        DeliveryResult r = results.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no DeliveryResult within 10 s; stream error: " + streamError);
        }
        return r;
    }

    /** The next result if one arrives within {@code within}, else null. */
    public DeliveryResult nextResult(java.time.Duration within) throws InterruptedException {
        return results.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends one batch and waits for its result. */
    public List<Outcome> deliver(long batchId, Delivery... deliveries) throws InterruptedException {
        send(batchId, List.of(deliveries));
        DeliveryResult r = nextResult();
        if (r.getBatchId() != batchId) {
            throw new AssertionError("result for batch " + r.getBatchId() + ", expected " + batchId);
        }
        return r.getOutcomesList();
    }

    public ConnNodeGrpc.ConnNodeBlockingStub blocking() {
        return ConnNodeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            stream.onCompleted();
        } catch (RuntimeException ignored) {
            // the stream may already be gone with the node
        }
        try {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
