package io.longlink.router;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.ChannelOption;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.NodeRegistration;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.grpc.InternalTls;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryBatch;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.KickRequest;
import io.longlink.proto.internal.KickResponse;
import io.longlink.proto.internal.Outcome;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;

/**
 * A test peer standing in for a conn-node's gRPC side: a real server on a loopback port, listed in
 * ZooKeeper membership like a conn-node, that records what routers send and answers as told.
 */
public final class FakeConnNode implements AutoCloseable {
    public final String id;
    public final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    public final List<DeliveryBatch> batches = new CopyOnWriteArrayList<>();
    public final List<FanOutRequest> fanOuts = new CopyOnWriteArrayList<>();
    public volatile Function<Delivery, Outcome> outcome = d -> Outcome.WRITTEN;
    /** How many outcomes to answer for a batch of n (a misbehaving peer answers another number). */
    public volatile java.util.function.IntUnaryOperator outcomeCount = n -> n;
    public volatile FanOutResponse fanOutAnswer = FanOutResponse.newBuilder().setMatched(3).setWritten(2).build();
    /** When set, FanOut answers wait for it (a conn-node spreading a fan-out over time). */
    public volatile CountDownLatch fanOutHold;
    public volatile long fanOutDelayMs;
    /** This many FanOut calls, from the next one on, are refused as a busy conn-node refuses them. */
    public final java.util.concurrent.atomic.AtomicInteger fanOutRefusals = new java.util.concurrent.atomic.AtomicInteger();
    public final java.util.concurrent.atomic.AtomicInteger fanOutsRunning = new java.util.concurrent.atomic.AtomicInteger();
    public final java.util.concurrent.atomic.AtomicInteger fanOutsMaxRunning = new java.util.concurrent.atomic.AtomicInteger();
    /** When set, Deliver results wait for it (a slow conn-node); never counted down = a stuck one. */
    public volatile CountDownLatch hold;
    /** This many Deliver batches, from the next one on, get no result at all (a peer that missed them). */
    public final java.util.concurrent.atomic.AtomicInteger unansweredBatches = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Server server;
    private final int port;
    private final NodeRegistration registration;
    private final InternalTls tls;

    FakeConnNode(CuratorFramework zk, String id) throws Exception {
        this(zk, id, InternalTls.plaintext());
    }

    /** @param tls what the peer's gRPC server requires of callers, as a conn-node with internal TLS */
    FakeConnNode(CuratorFramework zk, String id, InternalTls tls) throws Exception {
        this.id = id;
        this.tls = tls;
        server = serve(0);
        port = server.getPort();
        if (zk == null) {
            registration = null;
            return;
        }
        registration = new NodeRegistration(zk, new NodeInfo(id, "conn",
                Map.of("grpc", "127.0.0.1:" + port, "device", "127.0.0.1:1"), 0));
        registration.start(5_000);
    }

    /** A peer that is not listed in ZooKeeper, for tests of one link. */
    public static FakeConnNode unlisted(String id) throws Exception {
        return new FakeConnNode(null, id);
    }

    private Server serve(int onPort) throws Exception {
        return tls.applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", onPort)))
                .withOption(ChannelOption.SO_REUSEADDR, true).addService(new Service()).build().start();
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Stops answering on its port but stays a member, as a conn-node that crashed a moment ago. */
    void stopServing() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Answers again on the same port. */
    void resumeServing() throws Exception {
        server = serve(port);
    }

    /** Leaves membership, as a dying conn-node's session would. */
    void leave() {
        registration.close();
    }

    /** Publishes that it drains: it stays a member and still serves the devices it holds. */
    void drain(CuratorFramework zk) throws Exception {
        zk.setData().forPath(ZooKeeperPaths.node("conn", id), registration.info().asDraining().encode());
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.close();
        }
        server.shutdownNow();
    }

    private final class Service extends ConnNodeGrpc.ConnNodeImplBase {
        @Override
        public StreamObserver<DeliveryBatch> deliver(StreamObserver<DeliveryResult> results) {
            return new StreamObserver<>() {
                @Override
                public void onNext(DeliveryBatch batch) {
                    batches.add(batch);
                    deliveries.addAll(batch.getDeliveriesList());
                    if (unansweredBatches.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        return;
                    }
                    DeliveryResult.Builder r = DeliveryResult.newBuilder().setBatchId(batch.getBatchId());
                    int n = outcomeCount.applyAsInt(batch.getDeliveriesCount());
                    for (int i = 0; i < n; i++) {
                        r.addOutcomes(outcome.apply(batch.getDeliveries(Math.min(i, batch.getDeliveriesCount() - 1))));
                    }
                    CountDownLatch gate = hold;
                    if (gate == null) {
                        results.onNext(r.build());
                        return;
                    }
                    Thread.ofVirtual().start(() -> {
                        try {
                            if (gate.await(60, TimeUnit.SECONDS)) {
                                synchronized (results) {
                                    results.onNext(r.build());
                                }
                            }
                        } catch (InterruptedException | RuntimeException ignored) {
                            // the router gave up on this stream
                        }
                    });
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    results.onCompleted();
                }
            };
        }

        @Override
        public void fanOut(FanOutRequest request, StreamObserver<FanOutResponse> response) {
            fanOuts.add(request);
            if (fanOutRefusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                response.onError(Status.RESOURCE_EXHAUSTED.withDescription("busy").asRuntimeException());
                return;
            }
            int now = fanOutsRunning.incrementAndGet();
            fanOutsMaxRunning.accumulateAndGet(now, Math::max);
            CountDownLatch gate = fanOutHold;
            long delay = fanOutDelayMs;
            if (gate == null && delay == 0) {
                answer(response);
                return;
            }
            Thread.ofVirtual().start(() -> {
                try {
                    if (gate != null) {
                        gate.await(60, TimeUnit.SECONDS);
                    }
                    if (delay > 0) {
                        new CountDownLatch(1).await(delay, TimeUnit.MILLISECONDS);
                    }
                    answer(response);
                } catch (InterruptedException | RuntimeException ignored) {
                    // the router gave up on this call
                }
            });
        }

        private void answer(StreamObserver<FanOutResponse> response) {
            fanOutsRunning.decrementAndGet();
            response.onNext(fanOutAnswer);
            response.onCompleted();
        }

        @Override
        public void kick(KickRequest request, StreamObserver<KickResponse> response) {
            response.onNext(KickResponse.newBuilder().setKicked(false).build());
            response.onCompleted();
        }
    }
}
