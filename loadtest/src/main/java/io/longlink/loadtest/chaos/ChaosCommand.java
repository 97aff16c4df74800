package io.longlink.loadtest.chaos;

import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.LauncherOptions;
import io.longlink.loadtest.scenario.Range;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.scenario.StackPlan;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ops/bench chaos}: its options and the stack they ask for; {@link ChaosScenario} runs it. */
@Command(name = ChaosCommand.NAME, description = "Steady pushes of every kind to SDK devices while processes crash,"
        + " pause and restart one after the other; counts what the devices' apps were not shown, shown twice or out"
        + " of order, and how long each fault took to recover from.")
public final class ChaosCommand implements Scenario {
    public static final String NAME = "chaos";
    static final int CONN_NODES = 3;
    static final int ROUTERS = 2;
    static final int APIS = 2;

    @Option(names = "--devices", defaultValue = "3000", description = "SDK devices (two threads each)")
    @Range(min = 10, max = 10_000)
    int devices;

    @Option(names = "--tags", defaultValue = "20", description = "tags; device i holds tag t<i mod tags>")
    @Range(min = 1, max = 1_000)
    int tags;

    @Option(names = "--aliases", defaultValue = "100", description = "aliases shared by --alias-size devices each")
    @Range(min = 0, max = 10_000)
    int aliases;

    @Option(names = "--alias-size", defaultValue = "3", description = "devices per alias")
    @Range(min = 1, max = 100)
    int aliasSize;

    @Option(names = "--unicast-callers", defaultValue = "8",
            description = "sequential Push callers, each owning a share of the devices")
    @Range(min = 1, max = 100)
    int unicastCallers;

    @Option(names = "--unicast-rate", defaultValue = "40", description = "Push calls per second, all callers")
    @Range(min = 0, max = 10_000)
    int unicastRate;

    @Option(names = "--batch-callers", defaultValue = "2", description = "sequential PushBatch callers")
    @Range(min = 1, max = 100)
    int batchCallers;

    @Option(names = "--batch-rate", defaultValue = "2", description = "PushBatch calls per second, all callers")
    @Range(min = 0, max = 1_000)
    int batchRate;

    @Option(names = "--batch-size", defaultValue = "8", description = "entries per batch, two per device")
    @Range(min = 2, max = 1_000)
    int batchSize;

    @Option(names = "--mixed-batches", arity = "1", defaultValue = "true", description = "the second entry of each"
            + " device in a batch has no request_id (entry order must hold in mixed batches too)")
    boolean mixedBatches;

    @Option(names = "--alias-rate", defaultValue = "4", description = "alias pushes per second")
    @Range(min = 0, max = 1_000)
    int aliasRate;

    @Option(names = "--tag-rate", defaultValue = "1", description = "tag pushes per second (devices / tags copies each)")
    @Range(min = 0, max = 1_000)
    int tagRate;

    @Option(names = "--broadcasts-per-min", defaultValue = "6", description = "broadcast pushes per minute")
    @Range(min = 0, max = 6_000)
    int broadcastsPerMin;

    @Option(names = "--ttl0-rate", defaultValue = "4",
            description = "TTL 0 Push calls per second (online only; lost_ttl0, not lost)")
    @Range(min = 0, max = 1_000)
    int ttl0Rate;

    @Option(names = "--ttl-s", defaultValue = "600", description = "TTL of every other push")
    @Range(min = 60, max = 864_000)
    int ttlS;

    @Option(names = "--connect-rate", defaultValue = "300", description = "devices started per second at set-up")
    @Range(min = 1, max = 10_000)
    int connectRate;

    @Option(names = "--faults", defaultValue = "all", converter = FaultList.class, description = "faults to run, in this order, comma-separated:"
            + " conn_kill, router_kill, api_kill, router_pause, redis_stop, kafka_restart, redis_restart, conn_drain,"
            + " redis_pause_router_stop")
    String faults;

    @Option(names = "--seed", defaultValue = "0",
            description = "seed of the schedule (which node each fault hits) and the load; 0 = a new one (logged)")
    @Range(min = 0, max = Integer.MAX_VALUE)
    int seed;

    @Option(names = "--warmup-s", defaultValue = "30", description = "load before the first fault")
    @Range(min = 0, max = 600)
    int warmupS;

    @Option(names = "--restart-delay-s", defaultValue = "5", description = "a killed process is started after this")
    @Range(min = 0, max = 600)
    int restartDelayS;

    @Option(names = "--pause-s", defaultValue = "10",
            description = "router SIGSTOP length: longer than the consumer session timeout"
                    + " (router.consumer-session-timeout-ms, 6 s)")
    @Range(min = 1, max = 600)
    int pauseS;

    @Option(names = "--redis-down-s", defaultValue = "20", description = "how long Redis stays stopped")
    @Range(min = 1, max = 600)
    int redisDownS;

    @Option(names = "--timely-ms", defaultValue = "3000",
            description = "a copy shown within this of its id's time counts for recovery")
    @Range(min = 100, max = 60_000)
    int timelyMs;

    @Option(names = "--max-recovery-s", defaultValue = "120",
            description = "after a fault is repaired, how long to wait for recovery before the next fault")
    @Range(min = 10, max = 1_800)
    int maxRecoveryS;

    @Option(names = "--settle-s", defaultValue = "10", description = "steady load between recovery and the next fault")
    @Range(min = 0, max = 600)
    int settleS;

    @Option(names = "--tail-s", defaultValue = "20", description = "load after the last fault's recovery")
    @Range(min = 0, max = 600)
    int tailS;

    @Option(names = "--grace-s", defaultValue = "90", description = "after the load, how long devices may still be"
            + " shown accepted pushes (ends early once all are, or after 30 s without a new one)")
    @Range(min = 1, max = 1_800)
    int graceS;

    @Option(names = "--node-jvm", defaultValue = "-Xms256m,-Xmx384m,-XX:+UseSerialGC",
            description = "JVM options of api-, router- and conn-nodes, comma-separated")
    String nodeJvm;

    @Option(names = "--bench-jvm", defaultValue = "-Xms1g,-Xmx1g,-Xss512k,-XX:+UseSerialGC",
            description = "JVM options of the devices and load process, comma-separated")
    String benchJvm;

    @Option(names = "--time-cap-s", defaultValue = "1500", description = "hard cap on the whole run, stack start included")
    @Range(min = 120, max = 14_400)
    int timeCapS;

    @Mixin
    LauncherOptions launcher;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StackPlan plan() {
        String jvm = nodeJvm.replace(',', ' ');
        return new StackPlan(List.of("redis", "zookeeper", "kafka", "router", "api", "conn"), jvm,
                StackPlan.LOOPBACK_DEVICES, timeCapS,
                CONN_NODES, ROUTERS, jvm, Map.of(), Map.of(), APIS, benchJvm.replace(',', ' '));
    }

    @Override
    public ResultLine run(Stack stack) throws Exception {
        return new ChaosScenario(this).run(stack);
    }

    PushLoad.Rates rates() {
        return new PushLoad.Rates(unicastCallers, unicastRate, batchCallers, batchRate, batchSize, mixedBatches,
                aliasRate, tagRate, broadcastsPerMin, ttl0Rate, ttlS);
    }

    FaultRunner.Durations durations() {
        return new FaultRunner.Durations(restartDelayS, pauseS, redisDownS, 90);
    }

    /** Checks --faults while the command line is parsed, before ops/bench starts anything. */
    static final class FaultList implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                Fault.parse(value);
                return value.strip();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
