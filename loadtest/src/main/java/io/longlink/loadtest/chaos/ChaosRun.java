package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.api.CreateAppResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running chaos load against a stack: an app, its devices connected through real SDK clients, and
 * the push load; what the ops/bench scenario and the integration tests share. Close it to stop the
 * load and the devices.
 */
final class ChaosRun implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private static final long POLL_MS = 1_000;

    /** What a run holds and offers. */
    record Settings(int devices, int tags, int aliases, int aliasSize, PushLoad.Rates rates, int connectPerSecond,
                    long timelyMs, long seed, int spanSeconds) {
    }

    private final LongSupplier clock;
    private final String appKey;
    private final ApiNodes api;
    private final Fleet fleet;
    private final AcceptedPushes accepted;
    private final RecoveryWindows windows;
    private final PushLoad load;
    private final long loadStartMs;
    private boolean loadStopped;

    private ChaosRun(LongSupplier clock, String appKey, ApiNodes api, Fleet fleet, AcceptedPushes accepted, RecoveryWindows windows,
                     PushLoad load, long loadStartMs) {
        this.clock = clock;
        this.appKey = appKey;
        this.api = api;
        this.fleet = fleet;
        this.accepted = accepted;
        this.windows = windows;
        this.load = load;
        this.loadStartMs = loadStartMs;
    }

    /** Creates the app, registers and connects the devices, and starts the load. */
    static ChaosRun start(Settings s, List<String> apiAddresses, String adminToken, LongSupplier clock,
                          Duration setupDeadline) throws Exception {
        requireNonNull(s, "settings");
        long epochMs = clock.getAsLong();
        RecoveryWindows windows = new RecoveryWindows(epochMs, s.spanSeconds(), s.timelyMs());
        ApiNodes api = new ApiNodes(apiAddresses);
        Fleet fleet = null;
        try {
            CreateAppResponse app = api.createApp(adminToken, "chaos");
            api.useApp(app.getAppKey(), app.getSecret());
            Audiences audiences = new Audiences(s.devices(), s.tags(), s.aliases(), s.aliasSize());
            fleet = new Fleet(audiences, clock, windows);
            long t0 = System.nanoTime();
            List<String> tokens = fleet.register(api, setupDeadline);
            List<String> servers = api.bootstrap(10);
            log.info("app {}: {} devices registered in {} ms; bootstrap offers {}", app.getAppKey(), s.devices(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), servers);
            if (servers.isEmpty()) {
                throw new IllegalStateException("the bootstrap service offers no conn-node");
            }
            fleet.connect(app.getAppKey(), tokens, () -> api.bootstrap(10), s.connectPerSecond(), s.seed(),
                    setupDeadline);
            log.info("{} devices connected", fleet.connected());
            AcceptedPushes accepted = new AcceptedPushes(windows);
            PushLoad load = new PushLoad(api, audiences, accepted, s.rates(), s.seed(), clock);
            long loadStart = clock.getAsLong();
            load.start();
            return new ChaosRun(clock, app.getAppKey(), api, fleet, accepted, windows, load, loadStart);
        } catch (Exception | Error e) {
            if (fleet != null) {
                fleet.close();
            }
            api.close();
            throw e;
        }
    }

    String appKey() {
        return appKey;
    }

    long loadStartMs() {
        return loadStartMs;
    }

    AcceptedPushes accepted() {
        return accepted;
    }

    Fleet fleet() {
        return fleet;
    }

    RecoveryWindows windows() {
        return windows;
    }

    PushLoad load() {
        return load;
    }

    /** When deliveries were back at the offered rate after {@code injectedMs}; -1 if not before {@code untilMs}. */
    long awaitRecovery(long injectedMs, long untilMs) throws InterruptedException {
        while (true) {
            long now = clock.getAsLong();
            long at = windows.recoveredAt(injectedMs, now);
            if (at >= 0 || now >= untilMs) {
                return at;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
    }

    /**
     * Copies of TTL &gt; 0 pushes accepted in [fromMs, toMs) that no device was shown yet. Costs a
     * snapshot of every device's log: poll it once a second at most.
     */
    long missingCopies(long fromMs, long toMs) {
        return tally(List.of(), fromMs, toMs).total().lostCopies;
    }

    /**
     * Waits until every copy of the TTL &gt; 0 pushes accepted in [fromMs, toMs) was shown, or the
     * count of copies not shown stopped going down for {@code quietMs}, or {@code untilMs} passed.
     * True when all were shown.
     */
    boolean awaitDelivered(long fromMs, long toMs, long quietMs, long untilMs) throws InterruptedException {
        Progress progress = new Progress(quietMs);
        while (true) {
            long missing = missingCopies(fromMs, toMs);
            long now = clock.getAsLong();
            if (missing == 0) {
                return true;
            }
            if (now >= untilMs || progress.stalled(missing, now)) {
                log.info("{} copies still not shown; no longer waiting", missing);
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(Math.max(POLL_MS, Math.min(5_000, fleet.logs().size())));
        }
    }

    /** Copies not shown yet, polled: stalled once the count has not gone down for {@code quietMs}. */
    static final class Progress {
        private final long quietMs;
        private long lowest = Long.MAX_VALUE;
        private long lowestSinceMs;

        Progress(long quietMs) {
            this.quietMs = quietMs;
        }

        boolean stalled(long missing, long nowMs) {
            if (missing < lowest) {
                lowest = missing;
                lowestSinceMs = nowMs;
            }
            return nowMs - lowestSinceMs >= quietMs;
        }
    }

    ChaosTally.Report tally(List<ChaosTally.Phase> phases, long fromMs, long toMs) {
        return ChaosTally.of(accepted, fleet.logs(), phases, fromMs, toMs);
    }

    /** Stops the load: callers finish the push they are on (for at most {@code abandonAfterMs}). */
    void stopLoad(long abandonAfterMs) throws InterruptedException {
        if (!loadStopped) {
            loadStopped = true;
            load.stop(abandonAfterMs);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stopLoad(5_000);
        } finally {
            try {
                fleet.close();
            } finally {
                api.close();
            }
        }
    }
}
