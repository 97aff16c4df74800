package io.longlink.loadtest.unicast;

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

/** {@code ops/bench unicast}: its options and the stack they ask for; {@link UnicastScenario} runs it. */
@Command(name = UnicastCommand.NAME,
        description = "Unicast pushes through api, Kafka, router and conn-nodes to simulated devices (Gatling load).")
public final class UnicastCommand implements Scenario {
    public static final String NAME = "unicast";

    @Option(names = "--rate", defaultValue = "10000", description = "pushes per second offered (open model)")
    @Range(min = 1, max = 1_000_000)
    int rate;

    @Option(names = "--batch", defaultValue = "100",
            description = "pushes per API call: 1 = PushService.Push, more = PushService.PushBatch of that many")
    @Range(min = 1, max = 1_000)
    int batch;

    @Option(names = "--duration-s", defaultValue = "60", description = "measured phase")
    @Range(min = 5, max = 3_600)
    int durationS;

    @Option(names = "--warmup-s", defaultValue = "240",
            description = "warm-up before it (ramp over the first half), excluded from every figure; the JIT"
                    + " compilers of the stack's JVMs take half a core for the first ~3 minutes")
    @Range(min = 0, max = 1_200)
    int warmupS;

    @Option(names = "--devices", defaultValue = "2000", description = "simulated devices, spread over the conn-nodes")
    @Range(min = 1, max = 19_000)
    int devices;

    @Option(names = "--routers", defaultValue = "1", description = "router-nodes")
    @Range(min = 1, max = 2)
    int routers;

    @Option(names = "--conn-nodes", defaultValue = "2", description = "conn-nodes")
    @Range(min = 1, max = 2)
    int connNodes;

    @Option(names = "--payload-bytes", defaultValue = "64", description = "payload of each push")
    @Range(min = 1, max = 4_096)
    int payloadBytes;

    @Option(names = "--ttl-s", defaultValue = "86400",
            description = "push TTL: > 0 = store-and-forward (inbox write per push), 0 = online only")
    @Range(min = 0, max = 864_000)
    int ttlS;

    @Option(names = "--grace-s", defaultValue = "30", description = "after the load, how long without any delivery"
            + " before the accepted pushes not yet received count as lost")
    @Range(min = 1, max = 600)
    int graceS;

    @Option(names = "--api-channels", defaultValue = "2", description = "gRPC connections from Gatling to the api-node")
    @Range(min = 1, max = 64)
    int apiChannels;

    @Option(names = "--max-in-flight", defaultValue = "20000",
            description = "Gatling's unanswered calls at most; beyond, a push fails at once (client_in_flight_limit)")
    @Range(min = 1, max = 1_000_000)
    int maxInFlight;

    @Option(names = "--io-threads", defaultValue = "2", description = "device simulator event-loop threads")
    @Range(min = 1, max = 64)
    int ioThreads;

    @Option(names = "--source-ips", defaultValue = "4",
            description = "loopback source addresses 127.0.0.2.. for the devices")
    @Range(min = 1, max = 250)
    int sourceIps;

    @Option(names = "--receipts", arity = "1", defaultValue = "true",
            description = "conn-nodes write ACKED receipts to Kafka (conn.receipts.enabled)")
    boolean receipts;

    @Option(names = "--node-jvm", defaultValue = "-Xms512m,-Xmx512m,-XX:+UseSerialGC",
            description = "JVM options of api-, router- and conn-nodes, comma-separated")
    String nodeJvm;

    @Option(names = "--gatling-jvm", defaultValue = "-Xms1g,-Xmx1g,-XX:+UseSerialGC",
            description = "JVM options of the Gatling process, comma-separated")
    String gatlingJvm;

    @Option(names = "--time-cap-s", defaultValue = "600",
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
        Map<String, String> conn = new HashMap<>(StackPlan.LOOPBACK_DEVICES);
        conn.put("conn.receipts.enabled", Boolean.toString(receipts));
        return new StackPlan(List.of("redis", "zookeeper", "kafka", "router", "api", "conn"), jvm, conn, timeCapS,
                connNodes, routers, jvm, Map.of(), Map.of());
    }

    @Override
    public ResultLine run(Stack stack) throws Exception {
        return new UnicastScenario(this).run(stack);
    }
}
