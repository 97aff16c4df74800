package io.longlink.loadtest.broadcast;

import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.LauncherOptions;
import io.longlink.loadtest.scenario.Range;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.scenario.StackPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ops/bench broadcast}: its options and the stack they ask for; {@link BroadcastScenario} runs it. */
@Command(name = BroadcastCommand.NAME, description = "Broadcast or tag pushes through the public gRPC API at rising"
        + " rates to many connected devices that ACK like the SDK: copies delivered per second, latency, lost and"
        + " duplicate copies per device and message, CPU of every process; optionally a JFR profile of conn-1.")
public final class BroadcastCommand implements Scenario {
    public static final String NAME = "broadcast";

    @Option(names = "--devices", defaultValue = "19000", description = "simulated devices, spread over the conn-nodes")
    @Range(min = 1, max = 19_000)
    int devices;

    @Option(names = "--conn-nodes", defaultValue = "1", description = "conn-nodes the devices spread over")
    @Range(min = 1, max = 2)
    int connNodes;

    @Option(names = "--routers", defaultValue = "1", description = "router-nodes")
    @Range(min = 1, max = 2)
    int routers;

    @Option(names = "--kind", defaultValue = "broadcast", converter = FanOutKind.Converter.class,
            description = "broadcast (audience: every device) or tag (a tag filter every device matches)")
    FanOutKind kind;

    @Option(names = "--rates", defaultValue = "1,2,4,8,12,16,20,24", converter = Rates.Converter.class,
            description = "pushes per second of each step, rising, comma-separated (1 to 20 steps)")
    Rates rates;

    @Option(names = "--step-s", defaultValue = "20", description = "how long each step offers its rate")
    @Range(min = 1, max = 600)
    int stepS;

    @Option(names = "--warmup-s", defaultValue = "20",
            description = "pushes at the first step's rate before the steps, in no figure but lost and duplicates")
    @Range(min = 0, max = 600)
    int warmupS;

    @Option(names = "--ttl-s", defaultValue = "3600", description = "TTL of every push (0 = online devices only)")
    @Range(min = 0, max = 864_000)
    int ttlS;

    @Option(names = "--grace-s", defaultValue = "30", description = "after the last step, how long without a new copy"
            + " before the copies not yet received count as lost")
    @Range(min = 1, max = 600)
    int graceS;

    @Option(names = "--drain-max-s", defaultValue = "180",
            description = "after the last step, how long at most to wait for the last copies")
    @Range(min = 1, max = 3_600)
    int drainMaxS;

    @Option(names = "--max-in-flight", defaultValue = "256",
            description = "unanswered Push calls at most; a push beyond is not sent and counted as skipped_in_flight")
    @Range(min = 1, max = 100_000)
    int maxInFlight;

    @Option(names = "--io-threads", defaultValue = "2", description = "device simulator event-loop threads")
    @Range(min = 1, max = 64)
    int ioThreads;

    @Option(names = "--source-ips", defaultValue = "4",
            description = "loopback source addresses 127.0.0.2.. for the devices")
    @Range(min = 1, max = 250)
    int sourceIps;

    @Option(names = "--profile", arity = "1", defaultValue = "false", description = "record conn-1 with JFR during the"
            + " highest step into logs/broadcast-conn-1.jfr and log its 20 hottest methods")
    boolean profile;

    @Option(names = "--node-jvm", defaultValue = "-Xms512m,-Xmx512m,-XX:+UseSerialGC",
            description = "JVM options of api-, router- and conn-nodes, comma-separated")
    String nodeJvm;

    @Option(names = "--fanout-linger-ms", description = "conn.fanout-linger-ms of the conn-nodes (default: theirs)")
    @Range(min = 0, max = 1_000)
    Integer fanOutLingerMs;

    @Option(names = "--fanout-max-lag-ms", description = "api.fanout-max-lag-ms of the api-node (default: its own)")
    @Range(min = 0, max = 600_000)
    Integer fanOutMaxLagMs;

    @Option(names = "--time-cap-s", defaultValue = "900",
            description = "hard cap on the whole run, stack start included")
    @Range(min = 60, max = 7_200)
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
        // samples between safepoints too, so the profile names the hot method rather than the next safepoint
        String connJvm = profile ? jvm + " -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints" : jvm;
        Map<String, String> conn = new HashMap<>(StackPlan.LOOPBACK_DEVICES);
        Map<String, String> api = new HashMap<>();
        if (fanOutLingerMs != null) {
            conn.put("conn.fanout-linger-ms", fanOutLingerMs.toString());
        }
        if (fanOutMaxLagMs != null) {
            api.put("api.fanout-max-lag-ms", fanOutMaxLagMs.toString());
        }
        return new StackPlan(List.of("redis", "zookeeper", "kafka", "router", "api", "conn"), connJvm,
                conn, timeCapS, connNodes, routers, jvm, Map.of(), api);
    }

    @Override
    public ResultLine run(Stack stack) throws Exception {
        return new BroadcastScenario(this).run(stack);
    }
}
