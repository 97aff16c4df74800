package io.longlink.loadtest.mqtt;

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

/**
 * {@code ops/bench mqtt-fanout}: its options and the stack they ask for; {@link MqttFanoutScenario}
 * runs it against Longlink's MQTT listener and against Debian's mosquitto in the same invocation.
 */
@Command(name = MqttFanoutCommand.NAME,
        description = "QoS 1 deliveries per second to MQTT subscribers (broadcast and unicast): Longlink's MQTT"
                + " listener, pushed through the gRPC API, against mosquitto.")
public final class MqttFanoutCommand implements Scenario {
    public static final String NAME = "mqtt-fanout";

    @Option(names = "--subscribers", defaultValue = "5000", description = "MQTT subscribers, one device each")
    @Range(min = 1, max = 19_000)
    int subscribers;

    @Option(names = "--broadcasts", defaultValue = "20",
            description = "broadcast messages, each delivered to every subscriber")
    @Range(min = 0, max = 10_000)
    int broadcasts;

    @Option(names = "--unicasts", defaultValue = "20000",
            description = "unicast messages, to the subscribers in turn")
    @Range(min = 0, max = 1_000_000)
    int unicasts;

    @Option(names = "--batch", defaultValue = "100",
            description = "Longlink unicasts per PushBatch call (mosquitto's publisher sends one PUBLISH each)")
    @Range(min = 1, max = 1_000)
    int batch;

    @Option(names = "--conn-nodes", defaultValue = "1", description = "Longlink conn-nodes the subscribers spread over")
    @Range(min = 1, max = 2)
    int connNodes;

    @Option(names = "--routers", defaultValue = "1", description = "router-nodes")
    @Range(min = 1, max = 2)
    int routers;

    @Option(names = "--window", defaultValue = "256",
            description = "API calls (Longlink) or PUBLISHes (mosquitto) sent and not yet answered, at most")
    @Range(min = 1, max = 10_000)
    int window;

    @Option(names = "--source-ips", defaultValue = "16",
            description = "loopback source addresses 127.0.0.2.. for the subscribers")
    @Range(min = 1, max = 250)
    int sourceIps;

    @Option(names = "--io-threads", defaultValue = "2", description = "subscriber event-loop threads")
    @Range(min = 1, max = 64)
    int ioThreads;

    @Option(names = "--warmup-rounds", defaultValue = "5", description = "rounds of the same broadcasts and unicasts"
            + " each broker gets before the measured ones, in no figure: Longlink's unicast rounds still get faster"
            + " through the fourth or fifth (class loading, then the JIT compiling the hot paths of six JVMs)")
    @Range(min = 0, max = 10)
    int warmupRounds;

    @Option(names = "--phase-timeout-s", defaultValue = "180",
            description = "a phase whose deliveries are not all in by then ends; the missing ones count as lost")
    @Range(min = 5, max = 3_600)
    int phaseTimeoutS;

    @Option(names = "--router-ack-wait-ms", defaultValue = "250",
            description = "router.ack-wait-ms of the router: how long a unicast's delivery waits for the device's ACK"
                    + " before the router stores it; 0 = store first")
    @Range(min = 0, max = 10_000)
    int routerAckWaitMs;

    @Option(names = "--node-jvm", defaultValue = "-Xms512m,-Xmx512m,-XX:+UseSerialGC",
            description = "JVM options of the Longlink nodes, comma-separated")
    String nodeJvm;

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
        Map<String, String> conn = new HashMap<>(StackPlan.LOOPBACK_DEVICES);
        // one app sends the whole load, as fast as mosquitto's publisher: its quotas, and the fan-out admission
        // that would refuse broadcasts while the router still works through the unicasts, must not be what is measured
        Map<String, String> api = Map.of("api.quota.fanouts-per-s", "100000", "api.quota.pushes-per-s", "1000000",
                "api.fanout-max-lag-ms", "0");
        return new StackPlan(List.of("redis", "zookeeper", "kafka", "router", "api", "conn"), jvm, conn, timeCapS,
                connNodes, routers, jvm, Map.of("router.ack-wait-ms", Integer.toString(routerAckWaitMs)), api);
    }

    @Override
    public ResultLine run(Stack stack) throws Exception {
        return new MqttFanoutScenario(this).run(stack);
    }
}
