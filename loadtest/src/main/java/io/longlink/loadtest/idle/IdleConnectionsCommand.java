package io.longlink.loadtest.idle;

import io.longlink.loadtest.client.DeviceTransport;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.LauncherOptions;
import io.longlink.loadtest.scenario.Range;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.scenario.StackPlan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ops/bench idle-connections}: its options and the stack they ask for; {@link IdleConnectionsScenario}
 * runs it.
 */
@Command(name = IdleConnectionsCommand.NAME,
        description = "Memory per idle authenticated connection on one conn-node, and CONNECTs/s.")
public final class IdleConnectionsCommand implements Scenario {
    public static final String NAME = "idle-connections";

    @Spec
    CommandSpec spec;

    @Option(names = "--connections", defaultValue = "19000", description = "devices connected and held idle")
    @Range(min = 1, max = 1_000_000)
    int connections;

    @Option(names = "--transport", defaultValue = "tcp", converter = DeviceTransport.Converter.class,
            description = "what the devices speak: tcp (the device protocol on the device port), mqtt (MQTT 3.1.1"
                    + " on conn.mqtt.port) or ws (WebSocket on the web listener, longlink.v1)")
    DeviceTransport transport;

    @Option(names = "--compact-headers", arity = "1", defaultValue = "false",
            description = "run the conn-node with -XX:+UseCompactObjectHeaders")
    boolean compactHeaders;

    @Option(names = "--conn-heap-mb", defaultValue = "1024",
            description = "fixed conn-node heap (-Xms = -Xmx), Serial GC")
    @Range(min = 64, max = 65_536)
    int connHeapMb;

    @Option(names = "--heartbeat-s", defaultValue = "1800",
            description = "heartbeat the devices ask for; also the node's conn.heartbeat-max-s")
    @Range(min = 1, max = 3_600)
    int heartbeatS;

    @Option(names = "--source-ips", defaultValue = "8",
            description = "loopback source addresses 127.0.0.2.. for the clients")
    @Range(min = 1, max = 250)
    int sourceIps;

    @Option(names = "--io-threads", defaultValue = "4", description = "generator event-loop threads")
    @Range(min = 1, max = 64)
    int ioThreads;

    @Option(names = "--max-in-flight", defaultValue = "512",
            description = "most connects between TCP connect and CONNACK")
    @Range(min = 1, max = 65_536)
    int maxInFlight;

    @Option(names = "--warmup-connections", defaultValue = "2000",
            description = "connections per warm-up round; 0 = no warm-up")
    @Range(min = 0, max = 100_000)
    int warmupConnections;

    @Option(names = "--warmup-max-s", defaultValue = "60",
            description = "warm-up ends after two young GCs on the node or this long")
    @Range(min = 1, max = 3_600)
    int warmupMaxS;

    @Option(names = "--settle-s", defaultValue = "5",
            description = "pause after warm-up, before the baseline, so closes and Redis batches finish")
    @Range(min = 0, max = 600)
    int settleS;

    @Option(names = "--idle-s", defaultValue = "10",
            description = "how long the connections stay idle before measuring")
    @Range(min = 0, max = 3_600)
    int idleS;

    @Option(names = "--time-cap-s", defaultValue = "600",
            description = "hard cap on the whole run, stack start included")
    @Range(min = 30, max = 7_200)
    int timeCapS;

    @Option(names = "--connections-metric", defaultValue = "longlink_conn_connections",
            description = "the conn-node gauge of open device connections")
    String connectionsMetric;

    @Mixin
    LauncherOptions launcher;

    @Override
    public String name() {
        return NAME;
    }

    /** True when the command line set --compact-headers: the node it measures must then run with that setting. */
    boolean compactHeadersGiven() {
        return spec.commandLine().getParseResult().hasMatchedOption("--compact-headers");
    }

    @Override
    public StackPlan plan() {
        String jvm = "-Xms" + connHeapMb + "m -Xmx" + connHeapMb + "m -XX:+UseSerialGC "
                + (compactHeaders ? "-XX:+UseCompactObjectHeaders" : "-XX:-UseCompactObjectHeaders");
        Map<String, String> conn = new LinkedHashMap<>(StackPlan.LOOPBACK_DEVICES);
        conn.put("conn.receipts.enabled", "false");
        conn.put("conn.heartbeat-max-s", Integer.toString(heartbeatS));
        conn.put("conn.heartbeat-min-s", Integer.toString(Math.min(30, heartbeatS)));
        conn.put("conn.heartbeat-default-s", Integer.toString(Math.min(240, heartbeatS)));
        conn.put("conn.route-ttl-ms", Long.toString(Math.max(1_800_000L, 2L * heartbeatS * 1_000 + 60_000)));
        return new StackPlan(List.of("redis", "zookeeper", "conn"), jvm, conn, timeCapS);
    }

    @Override
    public ResultLine run(Stack stack) throws Exception {
        return new IdleConnectionsScenario(this).run(stack);
    }
}
