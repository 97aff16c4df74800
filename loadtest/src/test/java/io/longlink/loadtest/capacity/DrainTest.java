package io.longlink.loadtest.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.loadtest.gatling.AsyncCall;
import io.longlink.loadtest.gatling.StatsSink;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The drain's end and its accounting. The sink is never bound to a Gatling run here, so every
 * timing it is given lands in {@link StatsSink#unbound()}: that count is what the drain logged.
 */
class DrainTest {
    private final Deliveries deliveries = new Deliveries();
    private final StatsSink stats = new StatsSink("devices");
    private final AtomicInteger inFlight = new AtomicInteger();

    private CompletableFuture<String> start(int graceSeconds) {
        CompletableFuture<String> ended = new CompletableFuture<>();
        new Drain(inFlight::get, deliveries, stats, graceSeconds).start(new AsyncCall.Outcome() {
            @Override
            public void succeeded() {
                ended.complete("ok");
            }

            @Override
            public void failed(String code, String message) {
                ended.complete(code);
            }
        });
        return ended;
    }

    @Test
    void start_whenEveryCopyReceivedAndNoCallInFlight_thenEndsAtOnceLoggingNothing() throws Exception {
        deliveries.unicastAccepted.add(5);
        deliveries.unicastReceived.add(5);
        deliveries.broadcastCopiesExpected.add(20);
        deliveries.broadcastReceived.add(20);

        assertThat(start(30).get(5, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(stats.unbound()).isZero();
    }

    @Test
    void start_whenCallsInFlight_thenWaitsForTheirCopies() {
        inFlight.set(1);
        CompletableFuture<String> ended = start(30);
        deliveries.unicastAccepted.add(1);
        inFlight.set(0);
        assertThat(ended).isNotDone();

        deliveries.unicastReceived.add(1);

        await().atMost(Duration.ofSeconds(5)).until(ended::isDone);
        assertThat(stats.unbound()).isZero();
    }

    @Test
    void start_whenCopiesNeverArrive_thenEndsAfterGraceAndLogsEachMissingCopyAsFailed() throws Exception {
        deliveries.unicastAccepted.add(3);
        deliveries.unicastReceived.add(1);
        deliveries.broadcastCopiesExpected.add(10);
        deliveries.broadcastReceived.add(7);

        assertThat(start(1).get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(stats.unbound()).as("not_delivered timings: 2 unicast + 3 broadcast copies").isEqualTo(5);
    }
}
