package io.longlink.loadtest.capacity;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.gatling.AsyncCall;
import io.longlink.loadtest.gatling.StatsSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The last request of a run, made once the injection ended: it ends when every call was answered
 * and every accepted copy reached its device, or when no copy arrived for {@code graceSeconds}.
 * Copies still missing then are logged as failed deliveries ({@code not_delivered}), so the error
 * rate and its assertion count them. One poll at a time, on a shared timer thread.
 */
final class Drain implements AsyncCall {
    static final String REQUEST = "drain";
    static final String NOT_DELIVERED = "not_delivered";
    private static final long POLL_MS = 200;

    private final IntSupplier callsInFlight;
    private final Deliveries deliveries;
    private final StatsSink stats;
    private final long graceMs;
    private final Executor poll = CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS);

    /** {@code callsInFlight}: the API calls still awaiting their answer ({@link ApiPushes#inFlight}). */
    Drain(IntSupplier callsInFlight, Deliveries deliveries, StatsSink stats, int graceSeconds) {
        this.callsInFlight = requireNonNull(callsInFlight, "callsInFlight");
        this.deliveries = requireNonNull(deliveries, "deliveries");
        this.stats = requireNonNull(stats, "stats");
        this.graceMs = TimeUnit.SECONDS.toMillis(graceSeconds);
    }

    @Override
    public void start(Outcome outcome) {
        check(outcome, -1, System.currentTimeMillis());
    }

    private void check(Outcome outcome, long lastReceived, long lastProgressMs) {
        long now = System.currentTimeMillis();
        long received = deliveries.received();
        long progressMs = received != lastReceived ? now : lastProgressMs;
        boolean answered = callsInFlight.getAsInt() == 0;
        if (answered && received >= deliveries.expected() || now - progressMs >= graceMs) {
            finish(outcome, now);
            return;
        }
        poll.execute(() -> check(outcome, received, progressMs));
    }

    private void finish(Outcome outcome, long now) {
        for (long i = deliveries.unicastMissing(); i > 0; i--) {
            stats.record(Deliveries.UNICAST, now, now, NOT_DELIVERED, "accepted by the API, not received");
        }
        for (long i = deliveries.broadcastMissing(); i > 0; i--) {
            stats.record(Deliveries.BROADCAST, now, now, NOT_DELIVERED, "accepted by the API, not received");
        }
        outcome.succeeded();
    }
}
