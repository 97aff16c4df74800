package io.longlink.loadtest.unicast.load;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.longlink.loadtest.gatling.AsyncCall;
import io.longlink.loadtest.unicast.tally.PushPhase;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.PushServiceGrpc;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The call a virtual user sends: PushService.Push of one random simulated device or, with
 * {@code batch > 1}, PushService.PushBatch of {@code batch} such pushes, through grpc-java's async
 * call API over a few long-lived channels. The unicast requests are built before the run (one per
 * device and phase), so a call costs no protobuf building beyond gathering a batch. Phase = warm-up until
 * {@code warmupSeconds} after {@link #start}, measured after, and written into the payload's first
 * byte for the devices.
 */
public final class PushCalls implements AsyncCall {
    static final Metadata.Key<String> APP_KEY = Metadata.Key.of("x-longlink-app-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> APP_SECRET = Metadata.Key.of("x-longlink-app-secret",
            Metadata.ASCII_STRING_MARSHALLER);
    static final String IN_FLIGHT_LIMIT = "client_in_flight_limit";

    private final LoadSettings settings;
    private final ManagedChannel[] managed;
    private final Channel[] channels;
    private final PushRequest[][] requests;
    private final AcceptedLog log;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private volatile long startMs;
    private volatile long measureStartMs = Long.MAX_VALUE;

    public PushCalls(LoadSettings settings) {
        this.settings = requireNonNull(settings, "settings");
        this.log = new AcceptedLog(settings.plannedPushes() + settings.rate() * 10L);
        Metadata creds = new Metadata();
        creds.put(APP_KEY, settings.appKey());
        creds.put(APP_SECRET, settings.appSecret());
        this.managed = new ManagedChannel[settings.channels()];
        this.channels = new Channel[settings.channels()];
        for (int i = 0; i < managed.length; i++) {
            // answers are handled on the channel's own event loop: the work is a few field updates
            managed[i] = NettyChannelBuilder.forTarget(settings.api()).usePlaintext().directExecutor().build();
            channels[i] = ClientInterceptors.intercept(managed[i], MetadataUtils.newAttachHeadersInterceptor(creds));
        }
        this.requests = new PushRequest[2][settings.devices()];
        for (int phase = 0; phase < 2; phase++) {
            ByteString payload = ByteString.copyFrom(PushPhase.payload(phase == 0 ? PushPhase.WARMUP
                    : PushPhase.MEASURED, settings.payloadBytes()));
            for (int d = 0; d < settings.devices(); d++) {
                requests[phase][d] = PushRequest.newBuilder()
                        .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder()
                                .addDeviceIds(settings.devicePrefix() + "-" + d)))
                        .setPayload(payload)
                        .setTtlSeconds(settings.ttlSeconds())
                        .build();
            }
        }
    }

    /** Connects the channels (so the first pushes do not pay for it) and starts the clock of the phases. */
    public void start() {
        for (ManagedChannel ch : managed) {
            ch.getState(true);
        }
        long now = System.currentTimeMillis();
        startMs = now;
        measureStartMs = now + TimeUnit.SECONDS.toMillis(settings.warmupSeconds());
    }

    @Override
    public void start(Outcome outcome) {
        int phase = System.currentTimeMillis() >= measureStartMs ? PushPhase.MEASURED : PushPhase.WARMUP;
        if (inFlight.incrementAndGet() > settings.maxInFlight()) {
            failed(outcome, phase, settings.batch(), IN_FLIGHT_LIMIT,
                    settings.maxInFlight() + " calls already awaiting their answer");
            return;
        }
        PushRequest[] ofPhase = requests[phase - 1];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Channel channel = channels[(int) Math.floorMod(sent.getAndIncrement(), (long) channels.length)];
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(settings.deadlineMs(), TimeUnit.MILLISECONDS);
        if (settings.batch() == 1) {
            ClientCalls.asyncUnaryCall(channel.newCall(PushServiceGrpc.getPushMethod(), options),
                    ofPhase[random.nextInt(ofPhase.length)], new Answer(outcome, phase));
            return;
        }
        PushBatchRequest.Builder batch = PushBatchRequest.newBuilder();
        for (int i = 0; i < settings.batch(); i++) {
            batch.addPushes(ofPhase[random.nextInt(ofPhase.length)]);
        }
        ClientCalls.asyncUnaryCall(channel.newCall(PushServiceGrpc.getPushBatchMethod(), options), batch.build(),
                new BatchAnswer(outcome, phase));
    }

    /** A call that ends without an answer: each of its {@code pushes} failed with {@code code}, and so did the call. */
    private void failed(Outcome outcome, int phase, int pushes, String code, String description) {
        inFlight.decrementAndGet();
        for (int i = 0; i < pushes; i++) {
            log.failed(code, phase);
        }
        outcome.failed(code, description);
    }

    /** Every entry is logged as accepted or failed; the call fails for Gatling when any entry did. */
    private final class BatchAnswer implements StreamObserver<PushBatchResponse> {
        private final Outcome outcome;
        private final int phase;
        private PushBatchResponse response;

        BatchAnswer(Outcome outcome, int phase) {
            this.outcome = outcome;
            this.phase = phase;
        }

        @Override
        public void onNext(PushBatchResponse value) {
            response = value;
        }

        @Override
        public void onError(Throwable t) {
            Status s = Status.fromThrowable(t);
            failed(outcome, phase, settings.batch(), s.getCode().name(), s.getDescription());
        }

        @Override
        public void onCompleted() {
            inFlight.decrementAndGet();
            PushResult firstFailure = null;
            for (PushResult r : response.getResultsList()) {
                if (r.hasError()) {
                    log.failed(Status.fromCodeValue(r.getError().getCode()).getCode().name(), phase);
                    firstFailure = firstFailure == null ? r : firstFailure;
                } else {
                    log.accepted(r.getMessageId(), phase);
                }
            }
            if (firstFailure == null) {
                outcome.succeeded();
            } else {
                outcome.failed(Status.fromCodeValue(firstFailure.getError().getCode()).getCode().name(),
                        firstFailure.getError().getMessage());
            }
        }
    }

    private final class Answer implements StreamObserver<PushResponse> {
        private final Outcome outcome;
        private final int phase;
        private long messageId;

        Answer(Outcome outcome, int phase) {
            this.outcome = outcome;
            this.phase = phase;
        }

        @Override
        public void onNext(PushResponse value) {
            messageId = value.getMessageId();
        }

        @Override
        public void onError(Throwable t) {
            Status s = Status.fromThrowable(t);
            failed(outcome, phase, 1, s.getCode().name(), s.getDescription());
        }

        @Override
        public void onCompleted() {
            inFlight.decrementAndGet();
            log.accepted(messageId, phase);
            outcome.succeeded();
        }
    }

    /** Closes the channels (every virtual user has ended by now) and writes the ids and the summary. */
    public void finish() throws IOException, InterruptedException {
        long endMs = System.currentTimeMillis();
        for (ManagedChannel ch : managed) {
            ch.shutdown();
        }
        for (ManagedChannel ch : managed) {
            if (!ch.awaitTermination(settings.deadlineMs() + 1_000L, TimeUnit.MILLISECONDS)) {
                ch.shutdownNow();
            }
        }
        java.nio.file.Files.createDirectories(settings.out());
        log.writeIds(settings.out().resolve(LoadSummary.IDS_FILE));
        long measureEnd = Math.min(endMs, measureStartMs + TimeUnit.SECONDS.toMillis(settings.durationSeconds()));
        new LoadSummary(startMs, measureStartMs, measureEnd, log.accepted(), log.acceptedWarmup(),
                log.acceptedMeasured(), log.overflow(), log.failures(), log.failedMeasured())
                .write(settings.out().resolve(LoadSummary.FILE));
    }

    AcceptedLog log() {
        return log;
    }
}
