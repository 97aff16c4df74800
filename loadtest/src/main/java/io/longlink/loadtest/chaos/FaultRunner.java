package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects one fault through {@link NodeControl} and repairs it: the process it hit runs again when
 * {@link #run} returns. The waits inside a fault (restart delay, pause, Redis down) are the fault's
 * duration, not synchronisation.
 */
final class FaultRunner {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private static final long START_WITHIN_MS = 120_000;
    /** Longer than redis.timeout-ms (5 s): the routers' batches have failed and they back off. */
    private static final int REDIS_PAUSED_BEFORE_STOP_S = 8;
    private static final int REDIS_PAUSED_AFTER_STOP_S = 5;

    /** How long each fault lasts. */
    record Durations(int restartDelayS, int pauseS, int redisDownS, int stopTimeoutS) {
    }

    /**
     * When the fault began (epoch ms), when its process ran again, and how many starts it refused
     * first. {@code outageEndMs} is when the cluster could work again: the injection for a Longlink
     * node (the others take over its work), the moment Redis or Kafka answered again for those (this
     * stack has one of each: nothing is accepted or delivered without them).
     */
    record Times(long injectedMs, long outageEndMs, long repairedMs, int failedStarts) {
        /** Injection to the dependency's return; 0 for a Longlink node. */
        long outageMs() {
            return outageEndMs - injectedMs;
        }
    }

    private final NodeControl nodes;
    private final Durations durations;
    private final LongSupplier clock;

    FaultRunner(NodeControl nodes, Durations durations, LongSupplier clock) {
        this.nodes = requireNonNull(nodes, "nodes");
        this.durations = requireNonNull(durations, "durations");
        this.clock = requireNonNull(clock, "clock");
    }

    Times run(FaultStep step) throws IOException, InterruptedException {
        String target = step.target();
        String stopTimeout = Integer.toString(durations.stopTimeoutS());
        long injected = clock.getAsLong();
        log.info("fault {}: injecting", step);
        int failedStarts = 0;
        long outageEnd = injected;
        switch (step.fault()) {
            case CONN_KILL, ROUTER_KILL, API_KILL -> {
                nodes.run("kill", target);
                hold(durations.restartDelayS());
                failedStarts = nodes.startUntilUp(target, START_WITHIN_MS);
            }
            case ROUTER_PAUSE -> {
                nodes.run("pause", target);
                hold(durations.pauseS());
                nodes.run("resume", target);
            }
            case REDIS_STOP -> {
                nodes.run("stop", target, stopTimeout);
                hold(durations.redisDownS());
                failedStarts = nodes.startUntilUp(target, START_WITHIN_MS);
                outageEnd = clock.getAsLong();
            }
            case REDIS_PAUSE_ROUTER_STOP -> {
                nodes.run("pause", "redis");
                hold(REDIS_PAUSED_BEFORE_STOP_S);
                nodes.run("stop", target, stopTimeout);
                hold(REDIS_PAUSED_AFTER_STOP_S);
                nodes.run("resume", "redis");
                outageEnd = clock.getAsLong();
                failedStarts = nodes.startUntilUp(target, START_WITHIN_MS);
            }
            case KAFKA_RESTART, REDIS_RESTART -> {
                nodes.run("stop", target, stopTimeout);
                failedStarts = nodes.startUntilUp(target, START_WITHIN_MS);
                outageEnd = clock.getAsLong();
            }
            case CONN_DRAIN -> {
                nodes.run("stop", target, stopTimeout);
                failedStarts = nodes.startUntilUp(target, START_WITHIN_MS);
            }
        }
        long repaired = clock.getAsLong();
        log.info("fault {}: repaired {} ms after injection{}", step, repaired - injected,
                failedStarts > 0 ? " (" + failedStarts + " refused starts first)" : "");
        return new Times(injected, outageEnd, repaired, failedStarts);
    }

    private static void hold(int seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds);
    }
}
