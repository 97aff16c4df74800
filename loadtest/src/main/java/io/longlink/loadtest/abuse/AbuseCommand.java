package io.longlink.loadtest.abuse;

import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.LauncherOptions;
import io.longlink.loadtest.scenario.Range;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.scenario.StackPlan;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ops/bench abuse}: its options and the stack they ask for; {@link AbuseScenario} runs it. */
@Command(name = AbuseCommand.NAME, description = "Healthy devices receive steady unicast pushes, first alone, then"
        + " while attackers flood one conn-node (CONNECTs from one address, silent sockets, PINGs without reading,"
        + " ACKs of unknown ids, oversize and garbage frames) and one app pushes 10x its quota; compares the"
        + " healthy devices' latency, disconnects and losses and the conn-node's heap.")
public final class AbuseCommand implements Scenario {
    public static final String NAME = "abuse";

    @Option(names = "--devices", defaultValue = "5000", description = "healthy devices, spread over --source-ips")
    @Range(min = 1, max = 19_000)
    int devices;

    @Option(names = "--rate", defaultValue = "500", description = "unicast pushes per second to the healthy devices")
    @Range(min = 1, max = 20_000)
    int rate;

    @Option(names = "--source-ips", defaultValue = "100", description = "loopback source addresses 127.0.0.2.. of the"
            + " healthy devices: 50 each by default, inside a per-address CONNECT burst")
    @Range(min = 1, max = 250)
    int sourceIps;

    @Option(names = "--warmup-s", defaultValue = "30", description = "pushes before the baseline, in no figure")
    @Range(min = 0, max = 600)
    int warmupS;

    @Option(names = "--rehearsal-s", defaultValue = "10", description = "after the warm-up, every attacker runs this"
            + " long, then stops as long again (at most 10 s), in no figure: both phases then measure code the attack already ran (its"
            + " first seconds on a fresh JVM are class loading and compiling); 0 = phase 2 starts on cold code")
    @Range(min = 0, max = 600)
    int rehearsalS;

    @Option(names = "--baseline-s", defaultValue = "60", description = "phase 1: the healthy devices alone")
    @Range(min = 1, max = 1_800)
    int baselineS;

    @Option(names = "--attack-s", defaultValue = "60", description = "phase 2: the same load while the attackers run")
    @Range(min = 1, max = 1_800)
    int attackS;

    @Option(names = "--connect-flood-per-s", defaultValue = "500",
            description = "CONNECTs per second from one source address (127.0.1.1), each closed after its answer")
    @Range(min = 0, max = 20_000)
    int connectFloodPerS;

    @Option(names = "--silent-sockets", defaultValue = "2000",
            description = "sockets (from 127.0.1.2) that connect and never send; one the node closes is opened again")
    @Range(min = 0, max = 10_000)
    int silentSockets;

    @Option(names = "--ping-flooders", defaultValue = "50",
            description = "logged-in connections (127.0.1.3) that send PINGs and never read")
    @Range(min = 0, max = 1_000)
    int pingFlooders;

    @Option(names = "--pings-per-s", defaultValue = "500", description = "PINGs per second of each PING flooder")
    @Range(min = 1, max = 100_000)
    int pingsPerS;

    @Option(names = "--ack-flooders", defaultValue = "50",
            description = "logged-in connections (127.0.1.4) that ACK message ids the node never sent")
    @Range(min = 0, max = 1_000)
    int ackFlooders;

    @Option(names = "--ack-ids-per-s", defaultValue = "10000",
            description = "unknown ids per second of each ACK flooder, 500 per ACK frame")
    @Range(min = 1, max = 1_000_000)
    int ackIdsPerS;

    @Option(names = "--garbage-per-s", defaultValue = "20", description = "fresh sockets (127.0.1.5) per second that"
            + " send an oversize frame header or random bytes, by turns")
    @Range(min = 0, max = 10_000)
    int garbagePerS;

    @Option(names = "--quota", defaultValue = "100", description = "pushes_per_s quota of the abusive app, which"
            + " pushes 10 times that through the API; 0 = no such app")
    @Range(min = 0, max = 10_000)
    int quota;

    @Option(names = "--grace-s", defaultValue = "30", description = "after the load, how long without any delivery"
            + " before the accepted pushes not yet received count as lost")
    @Range(min = 1, max = 600)
    int graceS;

    @Option(names = "--node-jvm", defaultValue = "-Xms512m,-Xmx512m,-XX:+UseSerialGC",
            description = "JVM options of api-, router- and conn-nodes, comma-separated")
    String nodeJvm;

    @Option(names = "--time-cap-s", defaultValue = "600", description = "hard cap on the whole run, stack start included")
    @Range(min = 60, max = 7_200)
    int timeCapS;

    @Mixin
    LauncherOptions launcher;

    @Override
    public String name() {
        return NAME;
    }

    /** One conn-node, router and api-node, each with its default settings: the limits under test are the defaults. */
    @Override
    public StackPlan plan() {
        String jvm = nodeJvm.replace(',', ' ');
        return new StackPlan(List.of("redis", "zookeeper", "kafka", "router", "api", "conn"), jvm, Map.of(), timeCapS,
                1, 1, jvm, Map.of(), Map.of());
    }

    @Override
    public ResultLine run(Stack stack) throws Exception {
        return new AbuseScenario(this).run(stack);
    }

    AttackPlan attackPlan() {
        return new AttackPlan(connectFloodPerS, silentSockets, pingFlooders, pingsPerS, ackFlooders, ackIdsPerS,
                garbagePerS);
    }
}
