package io.longlink.loadtest.sharded;

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

/** {@code ops/bench sharded}: its options and the stack they ask for; {@link ShardedScenario} runs it. */
@Command(name = ShardedCommand.NAME, description = "Many devices over several conn-nodes, each device told where to"
        + " connect by the api-node's bootstrap service, held by several generator processes; unicast at a steady"
        + " rate plus broadcasts, every accepted push accounted for; memory per connection and bootstrap skew.")
public final class ShardedCommand implements Scenario {
    public static final String NAME = "sharded";
    /** Open files a generator process may hold (ops/bench's ulimit), less room for the JVM's own. */
    static final int MAX_DEVICES_PER_SHARD = 19_000;

    @Option(names = "--conn-nodes", defaultValue = "10", description = "conn-nodes")
    @Range(min = 1, max = 10)
    int connNodes;

    @Option(names = "--devices", defaultValue = "190000", description = "devices, each placed by the bootstrap")
    @Range(min = 1, max = 200_000)
    int devices;

    @Option(names = "--shards", defaultValue = "10",
            description = "device-generator processes; each holds at most " + MAX_DEVICES_PER_SHARD + " devices")
    @Range(min = 1, max = 20)
    int shards;

    @Option(names = "--bootstrap-concurrency", defaultValue = "32",
            description = "devices of one shard between their bootstrap ask and their CONNACK at once")
    @Range(min = 1, max = 4_096)
    int bootstrapConcurrency;

    @Option(names = "--load-publish-ms", defaultValue = "5000", description = "how often each conn-node publishes its"
            + " connection count, by which the bootstrap orders the nodes (conn.load-publish-interval-ms; 5000 is its default)")
    @Range(min = 100, max = 600_000)
    int loadPublishMs;

    @Option(names = "--warmup-connections", defaultValue = "1000",
            description = "devices per conn-node connected and closed in each warm-up round before the empty nodes"
                    + " are measured (0 = no warm-up)")
    @Range(min = 0, max = 1_500)
    int warmupConnections;

    @Option(names = "--warmup-max-s", defaultValue = "60",
            description = "warm-up rounds until every node ran 2 GCs, or this long")
    @Range(min = 0, max = 600)
    int warmupMaxS;

    @Option(names = "--routers", defaultValue = "2", description = "router-nodes")
    @Range(min = 1, max = 2)
    int routers;

    @Option(names = "--rate", defaultValue = "2000", description = "unicast pushes per second to random devices")
    @Range(min = 0, max = 100_000)
    int rate;

    @Option(names = "--broadcast-every-s", defaultValue = "5",
            description = "seconds between broadcasts to every device (0 = none)")
    @Range(min = 0, max = 3_600)
    int broadcastEveryS;

    @Option(names = "--duration-s", defaultValue = "60", description = "how long the measured load runs")
    @Range(min = 1, max = 3_600)
    int durationS;

    @Option(names = "--load-warmup-s", defaultValue = "30", description = "the same load before the measured"
            + " --duration-s, so that every node has compiled its push path (its pushes are accounted for, not timed)")
    @Range(min = 0, max = 3_600)
    int loadWarmupS;

    @Option(names = "--ttl-s", defaultValue = "3600", description = "TTL of every push")
    @Range(min = 1, max = 864_000)
    int ttlS;

    @Option(names = "--grace-s", defaultValue = "60", description = "after the load, how long without any new delivery"
            + " before the accepted pushes not yet received count as lost")
    @Range(min = 1, max = 600)
    int graceS;

    @Option(names = "--drain-max-s", defaultValue = "300",
            description = "after the load, how long at most to wait for the last deliveries")
    @Range(min = 1, max = 3_600)
    int drainMaxS;

        @Option(names = "--max-in-flight", defaultValue = "2000", description = "unanswered Push calls at most")
    @Range(min = 1, max = 100_000)
    int maxInFlight;

    @Option(names = "--source-ips", defaultValue = "2", description = "loopback source addresses per shard")
    @Range(min = 1, max = 12)
    int sourceIps;

    @Option(names = "--io-threads", defaultValue = "1", description = "event-loop threads per shard")
    @Range(min = 1, max = 16)
    int ioThreads;

    @Option(names = "--conn-jvm", defaultValue = "-Xms256m,-Xmx256m,-XX:+UseSerialGC",
            description = "JVM options of each conn-node, comma-separated")
    String connJvm;

    @Option(names = "--node-jvm", defaultValue = "-Xms512m,-Xmx512m,-XX:+UseSerialGC",
            description = "JVM options of the api- and router-nodes, comma-separated")
    String nodeJvm;

    @Option(names = "--shard-jvm", defaultValue = "-Xms64m,-Xmx256m,-XX:+UseSerialGC",
            description = "JVM options of each device-generator process, comma-separated")
    String shardJvm;

    @Option(names = "--seed", defaultValue = "1", description = "picks the unicast targets")
    long seed;

    @Option(names = "--time-cap-s", defaultValue = "1800",
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
        Map<String, String> conn = new HashMap<>(StackPlan.LOOPBACK_DEVICES);
        conn.put("conn.load-publish-interval-ms", Integer.toString(loadPublishMs));
        return new StackPlan(List.of("redis", "zookeeper", "kafka", "router", "api", "conn"), connJvm.replace(',', ' '),
                conn, timeCapS, connNodes, routers, nodeJvm.replace(',', ' '), Map.of(), Map.of());
    }

    @Override
    public ResultLine run(Stack stack) throws Exception {
        return new ShardedScenario(this).run(stack);
    }
}
