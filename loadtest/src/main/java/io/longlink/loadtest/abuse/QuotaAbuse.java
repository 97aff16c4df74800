package io.longlink.loadtest.abuse;

import io.longlink.proto.api.CreateAppResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * One app pushing {@code factor} times its pushes_per_s quota through the API, to device ids nobody
 * holds (TTL 60 s, so what gets through expires from the inboxes). The api-nodes are to refuse the
 * excess with RESOURCE_EXHAUSTED; other apps are not to notice.
 */
final class QuotaAbuse implements AutoCloseable {
    private static final String QUOTA_REFUSED = "resource_exhausted";
    private static final int TARGETS = 1_000;
    private static final int TTL_S = 60;

    private final PacedPushes pushes;
    private final long startNanos = System.nanoTime();
    private Outcome outcome = new Outcome(0, 0, Map.of(), 0);

    private QuotaAbuse(PacedPushes pushes) {
        this.pushes = pushes;
    }

    /** Starts pushing at {@code quota x factor} per second; with {@code quota} 0, does nothing. */
    static QuotaAbuse start(String api, CreateAppResponse app, int quota, int factor) {
        if (quota == 0) {
            return new QuotaAbuse(null);
        }
        int rate = quota * factor;
        PacedPushes p = new PacedPushes("quota", api, app.getAppKey(), app.getSecret(), rate, rate * 10,
                n -> AbuseScenario.push("q-" + n % TARGETS, HealthyRecorder.BETWEEN, TTL_S), id -> {
                });
        p.start();
        return new QuotaAbuse(p);
    }

    /** Stops pushing; what the API answered. */
    Outcome stop() throws InterruptedException {
        if (pushes != null) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            pushes.stop(Duration.ofSeconds(15));
            Map<String, Long> other = new TreeMap<>(pushes.failures());
            Long refused = other.remove(QUOTA_REFUSED);
            outcome = new Outcome(pushes.accepted(), refused == null ? 0 : refused, other, seconds);
        }
        return outcome;
    }

    @Override
    public void close() throws InterruptedException {
        if (pushes != null) {
            pushes.close();
        }
    }

    /**
     * @param refused       pushes refused with RESOURCE_EXHAUSTED
     * @param otherFailures the other pushes that got no id, by code
     * @param seconds       how long the app pushed
     */
    record Outcome(long accepted, long refused, Map<String, Long> otherFailures, double seconds) {
        Outcome {
            otherFailures = Map.copyOf(otherFailures);
        }

        double acceptedPerSecond() {
            return seconds <= 0 ? 0 : accepted / seconds;
        }
    }
}
