package io.longlink.loadtest.sharded;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.longlink.loadtest.client.ReasonCounts;
import io.longlink.loadtest.scenario.AppAdmin;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The load of the sharded scenario: unicast Push calls at a steady rate to random devices of the
 * app, and a broadcast every so often, all with one TTL; every accepted message id is kept with
 * when it was accepted, so that each can be accounted for. At most {@code maxInFlight} calls are
 * unanswered at once; a call beyond is not made and counted as {@code client_in_flight_limit}.
 */
final class PushDriver implements AutoCloseable {
    private static final long TICK_MS = 10;

    /**
     * The load: unicasts per second, seconds between broadcasts, how long unmeasured then measured,
     * the TTL, the devices' ids.
     */
    record Load(int unicastPerS, int broadcastEveryS, int warmupS, int durationS, int ttlS, String prefix,
                int devices, int maxInFlight, long seed) {
    }

    private final Load load;
    private final ManagedChannel channel;
    private final PushServiceGrpc.PushServiceFutureStub push;
    private final Semaphore inFlight;
    /** Accepted unicast id -> epoch ms of the answer; broadcasts apart. */
    final Map<Long, Long> unicasts = new ConcurrentHashMap<>();
    final Map<Long, Long> broadcasts = new ConcurrentHashMap<>();
    final ReasonCounts failures = new ReasonCounts();
    /** Epoch ms the measured part of the load began: pushes accepted before are warm-up. */
    private volatile long measuredFromMs = Long.MAX_VALUE;

    PushDriver(String api, String appKey, String secret, Load load) {
        this.load = requireNonNull(load, "load");
        this.channel = NettyChannelBuilder.forTarget(api).usePlaintext().build();
        this.push = PushServiceGrpc.newFutureStub(channel)
                .withInterceptors(AppAdmin.credentials(appKey, secret));
        this.inFlight = new Semaphore(load.maxInFlight());
    }

    /**
     * Runs the load for its warm-up and its duration on the calling thread, then waits up to 30 s for
     * the last answers; {@code atMeasured} runs as the measured part begins.
     */
    void run(Runnable atMeasured) throws InterruptedException {
        SplittableRandom random = new SplittableRandom(load.seed());
        long start = System.nanoTime();
        long measured = start + TimeUnit.SECONDS.toNanos(load.warmupS());
        long end = measured + TimeUnit.SECONDS.toNanos(load.durationS());
        long sent = 0;
        long broadcastsSent = 0;
        ByteString unicastPayload = ByteString.copyFrom(new byte[] {ShardRecorder.UNICAST, 's', 'h', 'a', 'r', 'd'});
        ByteString broadcastPayload = ByteString.copyFrom(new byte[] {ShardRecorder.BROADCAST, 's', 'h', 'a', 'r', 'd'});
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0) {
                break;
            }
            if (measuredFromMs == Long.MAX_VALUE && now - measured >= 0) {
                atMeasured.run();
                measuredFromMs = System.currentTimeMillis();
            }
            long elapsed = now - start;
            long due = elapsed * load.unicastPerS() / TimeUnit.SECONDS.toNanos(1);
            for (; sent < due; sent++) {
                String device = load.prefix() + "-" + random.nextInt(load.devices());
                call(PushRequest.newBuilder().setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder()
                        .addDeviceIds(device))).setPayload(unicastPayload).setTtlSeconds(load.ttlS()).build(), unicasts);
            }
            if (load.broadcastEveryS() > 0
                    && elapsed >= broadcastsSent * TimeUnit.SECONDS.toNanos(load.broadcastEveryS())) {
                call(PushRequest.newBuilder().setAudience(Audience.newBuilder().setBroadcast(true))
                        .setPayload(broadcastPayload).setTtlSeconds(load.ttlS()).build(), broadcasts);
                broadcastsSent++;
            }
            TimeUnit.MILLISECONDS.sleep(TICK_MS);
        }
        if (!inFlight.tryAcquire(load.maxInFlight(), 30, TimeUnit.SECONDS)) {
            failures.add("unanswered_after_load");
        } else {
            inFlight.release(load.maxInFlight());
        }
    }

    private void call(PushRequest request, Map<Long, Long> accepted) {
        if (!inFlight.tryAcquire()) {
            failures.add("client_in_flight_limit");
            return;
        }
        Futures.addCallback(push.withDeadlineAfter(10, TimeUnit.SECONDS).push(request), new FutureCallback<>() {
            @Override
            public void onSuccess(PushResponse r) {
                accepted.put(r.getMessageId(), System.currentTimeMillis());
                inFlight.release();
            }

            @Override
            public void onFailure(Throwable t) {
                failures.add(Status.fromThrowable(t).getCode().name().toLowerCase(java.util.Locale.ROOT));
                inFlight.release();
            }
        }, MoreExecutors.directExecutor());
    }

    /** Epoch ms the measured part of the load began ({@link Long#MAX_VALUE} before). */
    long measuredFromMs() {
        return measuredFromMs;
    }

    /** Whether a push accepted at {@code acceptedMs} (epoch) belongs to the measured part of the load. */
    boolean measured(long acceptedMs) {
        return acceptedMs >= measuredFromMs;
    }

    /** Accepted unicast ids, in no order. */
    List<Long> unicastIds() {
        return new ArrayList<>(unicasts.keySet());
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
