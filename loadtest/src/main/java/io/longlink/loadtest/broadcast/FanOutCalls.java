package io.longlink.loadtest.broadcast;

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
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * PushService.Push calls of one audience at a steady rate, one step at a time, as a business system
 * sends them; each step's payload starts with its mark. At most {@code maxInFlight} calls are
 * unanswered; a push beyond is not sent and counted. Refusals are counted by status code.
 */
final class FanOutCalls implements AutoCloseable {
    private static final long CALL_DEADLINE_S = 10;

    /** One step's calls: when it ran (epoch ms) and the ids the API accepted, in answer order. */
    record Step(int mark, int ratePerS, long startMs, long endMs, Queue<Long> accepted) {
        List<Long> acceptedIds() {
            return List.copyOf(accepted);
        }
    }

    private final ManagedChannel channel;
    private final PushServiceGrpc.PushServiceFutureStub push;
    private final PushRequest template;
    private final int maxInFlight;
    private final Semaphore inFlight;
    final ReasonCounts refused = new ReasonCounts();
    final LongAdder skipped = new LongAdder();

    FanOutCalls(String api, String appKey, String secret, FanOutKind kind, int ttlS, int maxInFlight) {
        this.channel = NettyChannelBuilder.forTarget(requireNonNull(api, "api")).usePlaintext().build();
        this.push = PushServiceGrpc.newFutureStub(channel).withInterceptors(AppAdmin.credentials(appKey, secret));
        this.template = PushRequest.newBuilder().setAudience(kind.audience()).setTtlSeconds(ttlS).buildPartial();
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
    }

    /** Offers {@code ratePerS} pushes a second for {@code seconds}, marked {@code mark}, on the calling thread. */
    Step run(int mark, int ratePerS, int seconds) {
        PushRequest request = template.toBuilder().setPayload(ByteString.copyFrom(new byte[] {(byte) mark, 'b'}))
                .build();
        Queue<Long> accepted = new ConcurrentLinkedQueue<>();
        long startMs = System.currentTimeMillis();
        long start = System.nanoTime();
        long total = (long) ratePerS * seconds;
        for (long sent = 0; sent < total; sent++) {
            long due = start + sent * TimeUnit.SECONDS.toNanos(1) / ratePerS;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            call(request, accepted);
        }
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (long wait = end - System.nanoTime(); wait > 0; wait = end - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
        return new Step(mark, ratePerS, startMs, System.currentTimeMillis(), accepted);
    }

    private void call(PushRequest request, Queue<Long> accepted) {
        if (!inFlight.tryAcquire()) {
            skipped.increment();
            return;
        }
        Futures.addCallback(push.withDeadlineAfter(CALL_DEADLINE_S, TimeUnit.SECONDS).push(request),
                new FutureCallback<PushResponse>() {
                    @Override
                    public void onSuccess(PushResponse r) {
                        accepted.add(r.getMessageId());
                        inFlight.release();
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        refused.add(Status.fromThrowable(t).getCode().name().toLowerCase(Locale.ROOT));
                        inFlight.release();
                    }
                }, MoreExecutors.directExecutor());
    }

    /** Waits up to {@code seconds} for every call's answer; false if some are still open. */
    boolean awaitAnswers(int seconds) throws InterruptedException {
        if (!inFlight.tryAcquire(maxInFlight, seconds, TimeUnit.SECONDS)) {
            return false;
        }
        inFlight.release(maxInFlight);
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
