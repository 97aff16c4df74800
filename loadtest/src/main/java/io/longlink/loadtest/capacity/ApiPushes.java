package io.longlink.loadtest.capacity;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.longlink.loadtest.gatling.AsyncCall;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.loadtest.client.ReasonCounts;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API calls of the load, each one Gatling request: unicast pushes (PushService.Push, or
 * PushBatch of {@code batch} entries) to random connected devices, and broadcasts to every device
 * of the app. The payload's first byte tells the devices which kind a PUSH is.
 */
final class ApiPushes {
    static final int UNICAST_MARK = 1;
    static final int BROADCAST_MARK = 2;

    private final CapacitySettings settings;
    private final ApiClient api;
    private final DeviceFleet fleet;
    private final Deliveries deliveries;
    private final ByteString unicastPayload;
    private final PushRequest broadcast;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReasonCounts failures = new ReasonCounts();

    ApiPushes(CapacitySettings settings, ApiClient api, DeviceFleet fleet, Deliveries deliveries) {
        this.settings = requireNonNull(settings, "settings");
        this.api = requireNonNull(api, "api");
        this.fleet = requireNonNull(fleet, "fleet");
        this.deliveries = requireNonNull(deliveries, "deliveries");
        this.unicastPayload = ByteString.copyFrom(payload(UNICAST_MARK, settings.payloadBytes()));
        this.broadcast = PushRequest.newBuilder().setAudience(Audience.newBuilder().setBroadcast(true))
                .setPayload(ByteString.copyFrom(payload(BROADCAST_MARK, settings.payloadBytes())))
                .setTtlSeconds(settings.ttlSeconds()).build();
    }

    static byte[] payload(int mark, int size) {
        byte[] out = new byte[size];
        Arrays.fill(out, (byte) 'x');
        out[0] = (byte) mark;
        return out;
    }

    /** Calls awaiting their answer. */
    int inFlight() {
        return inFlight.get();
    }

    /** Pushes (unicast entries, broadcasts) that got no message id, by gRPC status code. */
    Map<String, Long> failures() {
        return failures.snapshot();
    }

    AsyncCall unicast() {
        return outcome -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            if (settings.batch() == 1) {
                PushRequest push = unicastTo(random);
                if (push == null) {
                    outcome.failed("no_device_connected", null);
                    return;
                }
                inFlight.incrementAndGet();
                ClientCalls.asyncUnaryCall(api.next().newCall(PushServiceGrpc.getPushMethod(), options()), push,
                        new Answer(outcome, false));
                return;
            }
            PushBatchRequest.Builder b = PushBatchRequest.newBuilder();
            for (int i = 0; i < settings.batch(); i++) {
                PushRequest push = unicastTo(random);
                if (push == null) {
                    outcome.failed("no_device_connected", null);
                    return;
                }
                b.addPushes(push);
            }
            inFlight.incrementAndGet();
            ClientCalls.asyncUnaryCall(api.next().newCall(PushServiceGrpc.getPushBatchMethod(), options()), b.build(),
                    new BatchAnswer(outcome));
        };
    }

    AsyncCall broadcast() {
        return outcome -> {
            inFlight.incrementAndGet();
            ClientCalls.asyncUnaryCall(api.next().newCall(PushServiceGrpc.getPushMethod(), options()), broadcast,
                    new Answer(outcome, true));
        };
    }

    private PushRequest unicastTo(ThreadLocalRandom random) {
        int device = fleet.randomConnected(random);
        if (device < 0) {
            return null;
        }
        return PushRequest.newBuilder().setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder()
                        .addDeviceIds(DeviceFleet.deviceId(settings.devicePrefix(), device))))
                .setPayload(unicastPayload).setTtlSeconds(settings.ttlSeconds()).build();
    }

    /** A call that ended without an answer: each of its {@code pushes} failed with its status, and so did the call. */
    private void failed(AsyncCall.Outcome outcome, Throwable t, int pushes) {
        inFlight.decrementAndGet();
        Status s = Status.fromThrowable(t);
        for (int i = 0; i < pushes; i++) {
            failures.add(s.getCode().name());
        }
        outcome.failed(s.getCode().name(), s.getDescription());
    }

    private CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(settings.deadlineMs(), TimeUnit.MILLISECONDS);
    }

    private final class Answer implements StreamObserver<PushResponse> {
        private final AsyncCall.Outcome outcome;
        private final boolean isBroadcast;

        Answer(AsyncCall.Outcome outcome, boolean isBroadcast) {
            this.outcome = outcome;
            this.isBroadcast = isBroadcast;
        }

        @Override
        public void onNext(PushResponse value) {
            if (isBroadcast) {
                deliveries.broadcastsAccepted.increment();
                // every device connected now is online for it; one that connects later may still get it from the log
                deliveries.broadcastCopiesExpected.add(fleet.connected());
            } else {
                deliveries.unicastAccepted.increment();
            }
        }

        @Override
        public void onError(Throwable t) {
            failed(outcome, t, 1);
        }

        @Override
        public void onCompleted() {
            inFlight.decrementAndGet();
            outcome.succeeded();
        }
    }

    /** Each accepted entry is one expected copy; the call fails for Gatling when any entry did. */
    private final class BatchAnswer implements StreamObserver<PushBatchResponse> {
        private final AsyncCall.Outcome outcome;
        private PushResult firstFailure;

        BatchAnswer(AsyncCall.Outcome outcome) {
            this.outcome = outcome;
        }

        @Override
        public void onNext(PushBatchResponse value) {
            for (PushResult r : value.getResultsList()) {
                if (r.hasError()) {
                    failures.add(Status.fromCodeValue(r.getError().getCode()).getCode().name());
                    firstFailure = firstFailure == null ? r : firstFailure;
                } else {
                    deliveries.unicastAccepted.increment();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            failed(outcome, t, settings.batch());
        }

        @Override
        public void onCompleted() {
            inFlight.decrementAndGet();
            if (firstFailure == null) {
                outcome.succeeded();
            } else {
                outcome.failed(Status.fromCodeValue(firstFailure.getError().getCode()).getCode().name(),
                        firstFailure.getError().getMessage());
            }
        }
    }
}
