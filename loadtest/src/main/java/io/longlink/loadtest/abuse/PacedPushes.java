package io.longlink.loadtest.abuse;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.longlink.loadtest.client.ReasonCounts;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * PushService.Push calls of one app at a steady rate (open model: a slow answer does not slow the
 * calls down), over one gRPC channel of its own, each with a 10 s deadline. At most
 * {@code maxInFlight} calls wait for an answer; beyond, a push is not sent and counts as
 * {@value #IN_FLIGHT_LIMIT}. Answers are counted by gRPC code; every accepted id goes to the caller.
 */
final class PacedPushes implements AutoCloseable {
    static final String IN_FLIGHT_LIMIT = "client_in_flight_limit";
    private static final Metadata.Key<String> APP_KEY = Metadata.Key.of("x-longlink-app-key",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> APP_SECRET = Metadata.Key.of("x-longlink-app-secret",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final long TICK_MS = 10;
    private static final long DEADLINE_MS = 10_000;

    private final int perSecond;
    private final int maxInFlight;
    private final LongFunction<PushRequest> requests;
    private final LongConsumer accepted;
    private final ManagedChannel channel;
    private final PushServiceGrpc.PushServiceStub stub;
    private final ScheduledExecutorService ticker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder acceptedCount = new LongAdder();
    private final ReasonCounts failures = new ReasonCounts();
    private long sent;
    private long startNanos;

    /**
     * @param requests the push with sequence number n (0, 1, ...)
     * @param accepted told each message id the API returned, from a gRPC thread
     */
    PacedPushes(String name, String api, String appKey, String secret, int perSecond, int maxInFlight,
                LongFunction<PushRequest> requests, LongConsumer accepted) {
        requireNonNull(name, "name");
        if (perSecond < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("perSecond, maxInFlight: " + perSecond + ", " + maxInFlight
                    + " (expected: >= 1)");
        }
        this.perSecond = perSecond;
        this.maxInFlight = maxInFlight;
        this.requests = requireNonNull(requests, "requests");
        this.accepted = requireNonNull(accepted, "accepted");
        Metadata creds = new Metadata();
        creds.put(APP_KEY, requireNonNull(appKey, "appKey"));
        creds.put(APP_SECRET, requireNonNull(secret, "secret"));
        // an answer is a few counter updates: handled on the channel's event loop
        this.channel = NettyChannelBuilder.forTarget(requireNonNull(api, "api")).usePlaintext().directExecutor()
                .build();
        this.stub = PushServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(creds));
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("push-" + name)
                .daemon().unstarted(r));
    }

    void start() {
        ticker.execute(() -> startNanos = System.nanoTime());
        ticker.scheduleAtFixedRate(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        long due = perSecond * (System.nanoTime() - startNanos) / TimeUnit.SECONDS.toNanos(1);
        // a ticker held up for more than a second does not make up for it in one burst
        sent = Math.max(sent, due - perSecond);
        for (; sent < due; sent++) {
            if (inFlight.get() >= maxInFlight) {
                failures.add(IN_FLIGHT_LIMIT);
                continue;
            }
            inFlight.incrementAndGet();
            stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).push(requests.apply(sent), new Answer());
        }
    }

    /**
     * Stops sending and waits, up to {@code wait}, until every call sent was answered. True when all were.
     */
    boolean stop(Duration wait) throws InterruptedException {
        ticker.shutdown();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        long end = System.nanoTime() + wait.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() - end < 0) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return inFlight.get() == 0;
    }

    long accepted() {
        return acceptedCount.sum();
    }

    /** Pushes that got no id, by lower-case gRPC code (or {@value #IN_FLIGHT_LIMIT}), sorted. */
    Map<String, Long> failures() {
        return failures.snapshot();
    }

    long failed() {
        return failures().values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() throws InterruptedException {
        ticker.shutdownNow();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private final class Answer implements StreamObserver<PushResponse> {
        @Override
        public void onNext(PushResponse r) {
            acceptedCount.increment();
            accepted.accept(r.getMessageId());
        }

        @Override
        public void onError(Throwable t) {
            failures.add(Status.fromThrowable(t).getCode().name().toLowerCase(Locale.ROOT));
            inFlight.decrementAndGet();
        }

        @Override
        public void onCompleted() {
            inFlight.decrementAndGet();
        }
    }
}
