package io.longlink.loadtest.sharded;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.client.ConnectBatch;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.probe.CpuTimes;
import io.longlink.loadtest.probe.NodeProbe;
import io.longlink.loadtest.probe.PerConnection;
import io.longlink.loadtest.probe.ProcessCpu;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.AppAdmin;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.proto.api.CreateAppResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharded benchmark: an app's devices spread over every conn-node by the api-node's bootstrap
 * service, held by several generator processes ({@link DeviceShard}); each conn-node measured before
 * and after they connect, as the idle-connections scenario measures its one node; then unicast at a
 * steady rate and broadcasts ({@link PushDriver}); then every accepted push accounted for by id.
 */
final class ShardedScenario {
    private static final Logger log = LoggerFactory.getLogger("bench");
    /** Every conn-node's admin base URL, comma-separated, conn-1 first (ops/bench sets it). */
    static final String CONN_ADMINS = "longlink.bench.conn-admins";
    static final String CONNECTIONS_METRIC = "longlink_conn_connections";
    static final double TARGET_SKEW = 0.10;

    private final ShardedCommand o;

    ShardedScenario(ShardedCommand options) {
        this.o = requireNonNull(options, "options");
    }

    /** One conn-node: its device address, process and probe. */
    private record Node(String name, InetSocketAddress device, long pid, NodeProbe probe) {
    }

    ResultLine run(Stack stack) throws Exception {
        requireNonNull(stack, "stack");
        Deadline deadline = Deadline.insideTimeCap(o.timeCapS, 60);
        if (stack.apis().isEmpty() || stack.adminToken().isEmpty()) {
            throw new IllegalStateException("the stack has no api-node (" + Stack.APIS + "): run through ops/bench sharded");
        }
        int perShard = (o.devices + o.shards - 1) / o.shards;
        if (perShard > ShardedCommand.MAX_DEVICES_PER_SHARD) {
            throw new IllegalStateException(o.devices + " devices over " + o.shards + " shards is " + perShard
                    + " per shard (expected: at most " + ShardedCommand.MAX_DEVICES_PER_SHARD + "; raise --shards)");
        }
        List<Node> nodes = nodes(stack);
        Path out = Path.of(System.getProperty("longlink.bench.out", "target/bench"), "sharded");
        Files.createDirectories(out);
        CreateAppResponse app = AppAdmin.create(stack, "bench sharded", 10_000_000);
        log.info("app {}; {} devices over {} conn-nodes, {} generator processes", app.getAppKey(), o.devices,
                nodes.size(), o.shards);

        warmUp(stack, app, nodes, deadline);
        List<NodeProbe.Snapshot> before = new ArrayList<>();
        for (Node n : nodes) {
            before.add(n.probe().measure());
        }
        List<ShardProcess> shards = new ArrayList<>();
        try {
            String loadAvgConnect = CpuTimes.loadAverage();
            for (int k = 0; k < o.shards; k++) {
                int first = k * perShard;
                int count = Math.max(0, Math.min(perShard, o.devices - first));
                List<String> args = List.of("api=" + stack.apis().getFirst(), "app=" + app.getAppKey(),
                        "secret=" + app.getSecret(), "prefix=s", "first=" + first, "count=" + count,
                        "sources=" + (k * o.sourceIps) + ":" + o.sourceIps, "concurrency=" + o.bootstrapConcurrency,
                        "io-threads=" + o.ioThreads);
                shards.add(ShardProcess.start(k + 1, jvm(o.shardJvm), args, out.resolve("shard-" + (k + 1) + ".log")));
            }
            long connected = 0;
            long failed = 0;
            long connectMs = 0;
            Map<String, Long> failures = new LinkedHashMap<>();
            for (ShardProcess s : shards) {
                ShardProcess.Connected c = s.awaitConnected(deadline.budget(Duration.ofMinutes(30), "connecting devices"));
                connected += c.connected();
                failed += c.failed();
                connectMs = Math.max(connectMs, c.connectMs());
                c.failures().forEach((reason, n) -> failures.merge(reason, n, Long::sum));
                log.info("shard connected={} failed={} in {} ms by node {}", c.connected(), c.failed(), c.connectMs(),
                        c.byNode());
            }
            log.info("devices connected={} failed={} failures={} in {} ms (load average at start {})", connected,
                    failed, failures, connectMs, loadAvgConnect);
            if (connected != o.devices) {
                throw new IllegalStateException(failed + " of " + o.devices + " devices could not connect: " + failures);
            }
            long[] counts = awaitNodeCounts(nodes, connected, deadline);
            Skew skew = Skew.of(counts);
            log.info("connections per conn-node {}: skew {}", Arrays.toString(counts), skew.text());

            PerConnection worst = null;
            for (int i = 0; i < nodes.size(); i++) {
                if (counts[i] == 0) {
                    continue;
                }
                PerConnection node = PerConnection.between(before.get(i), nodes.get(i).probe().measure(), counts[i]);
                log.info("{}: {} connections, heap {} B/conn, rss {} B/conn (outside the heap {}), memory {} B/conn",
                        nodes.get(i).name(), counts[i], Math.round(node.heap()), Math.round(node.rss()),
                        Math.round(node.nativeRss()), Math.round(node.memory()));
                worst = worst == null ? node : worst.max(node);
            }

            PushDriver.Load load = new PushDriver.Load(o.rate, o.broadcastEveryS, o.loadWarmupS, o.durationS, o.ttlS, "s",
                    o.devices, o.maxInFlight, o.seed);
            Map<String, Long> pids = new LinkedHashMap<>(stack.pids());
            for (int k = 0; k < shards.size(); k++) {
                pids.put("shard-" + (k + 1), shards.get(k).pid());
            }
            pids.put("driver", ProcessHandle.current().pid());
            Map<String, Long> ticksBefore = new LinkedHashMap<>();
            try (PushDriver driver = new PushDriver(stack.apis().getFirst(), app.getAppKey(), app.getSecret(), load)) {
                log.info("load: {} unicasts/s, a broadcast every {} s, for {} s of warm-up and {} s measured", o.rate,
                        o.broadcastEveryS, o.loadWarmupS, o.durationS);
                driver.run(() -> {
                    ticksBefore.putAll(ProcessCpu.ticks(pids));
                    log.info("load warm-up done: the measured {} s begin", o.durationS);
                });
                long loadStart = driver.measuredFromMs();
                long loadMs = System.currentTimeMillis() - loadStart;
                Map<String, Long> ticksAfter = ProcessCpu.ticks(pids);
                String loadAvg = CpuTimes.loadAverage();
                log.info("load done: unicasts accepted={} broadcasts accepted={} failed={}", driver.unicasts.size(),
                        driver.broadcasts.size(), driver.failures.snapshot());
                ShardReport report = awaitDeliveries(shards, driver, out, deadline);
                ResultLine line = result(report, driver, loadStart, counts, skew, worst, connectMs);
                line.put("loadavg_1m", loadAvg);
                cpuByRole(ticksBefore, ticksAfter, loadMs).forEach((role, pct) -> line.put("cpu_pct_" + role, pct, 0));
                return line;
            }
        } finally {
            for (ShardProcess s : shards) {
                s.close();
            }
        }
    }

    private ResultLine result(ShardReport r, PushDriver driver, long loadStart, long[] counts, Skew skew,
                              PerConnection worst, long connectMs) {
        // Every accepted push is accounted for; rates and latency count those of the measured part only.
        Histogram latency = new Histogram(3_600_000L, 3);
        long lostUnicast = 0;
        for (Map.Entry<Long, Long> u : driver.unicasts.entrySet()) {
            Integer ms = r.unicastLatencyMs.get(u.getKey());
            if (ms == null) {
                lostUnicast++;
            } else if (driver.measured(u.getValue())) {
                latency.recordValue(Math.min(3_600_000L, ms));
            }
        }
        long copies = 0;
        long measuredCopies = 0;
        long missingCopies = 0;
        long extraCopies = 0;
        long lastCopyMs = loadStart;
        long firstBroadcastMs = Long.MAX_VALUE;
        for (Map.Entry<Long, Long> b : driver.broadcasts.entrySet()) {
            long got = r.copies(b.getKey());
            copies += got;
            missingCopies += Math.max(0, o.devices - got);
            extraCopies += Math.max(0, got - o.devices);
            if (!driver.measured(b.getValue())) {
                continue;
            }
            measuredCopies += got;
            firstBroadcastMs = Math.min(firstBroadcastMs, b.getValue());
            long[] seen = r.broadcasts.get(b.getKey());
            if (seen != null) {
                lastCopyMs = Math.max(lastCopyMs, seen[1]);
            }
        }
        double fanOutS = firstBroadcastMs == Long.MAX_VALUE ? 0 : Math.max(1, lastCopyMs - firstBroadcastMs) / 1000.0;
        long received = latency.getTotalCount();
        boolean memoryOk = worst.heap() <= 1.1 * SINGLE_NODE_HEAP && worst.memory() <= 1.1 * SINGLE_NODE_MEMORY;
        ResultLine line = new ResultLine()
                .put("scenario", ShardedCommand.NAME)
                .put("status", "ok")
                .put("devices", o.devices)
                .put("conn_nodes", counts.length)
                .put("shards", o.shards)
                .put("unicast_acked_per_s", received / (double) o.durationS, 0)
                .put("broadcast_deliveries_per_s", fanOutS == 0 ? 0 : measuredCopies / fanOutS, 0)
                .put("p50_ms", received == 0 ? -1 : latency.getValueAtPercentile(50))
                .put("p99_ms", received == 0 ? -1 : latency.getValueAtPercentile(99))
                .put("max_ms", received == 0 ? -1 : latency.getMaxValue())
                .put("lost", lostUnicast + missingCopies)
                .put("lost_unicast", lostUnicast)
                .put("lost_broadcast_copies", missingCopies)
                .put("extra_broadcast_copies", extraCopies)
                .put("unicast_duplicates", r.unicastDuplicates)
                .put("unicast_accepted", driver.unicasts.size())
                .put("broadcasts_accepted", driver.broadcasts.size())
                .put("broadcast_copies", copies)
                .put("broadcast_fanout_s", fanOutS, 1)
                .put("heap_bytes_per_conn", worst.heap(), 0)
                .put("rss_bytes_per_conn", worst.rss(), 0)
                .put("native_rss_bytes_per_conn", worst.nativeRss(), 0)
                .put("memory_bytes_per_conn", worst.memory(), 0)
                .put("bootstrap_skew", skew.value(), 3)
                .put("node_connections_min", skew.min())
                .put("node_connections_max", skew.max())
                .put("node_connections", String.join("/", Arrays.stream(counts).mapToObj(Long::toString).toList()))
                .put("connect_s", connectMs / 1000.0, 1)
                .put("connects_per_s", connectMs == 0 ? 0 : o.devices * 1000.0 / connectMs, 0)
                .put("drops", r.drops)
                .put("rate", o.rate)
                .put("broadcast_every_s", o.broadcastEveryS)
                .put("duration_s", o.durationS)
                .put("load_warmup_s", o.loadWarmupS)
                .put("load_publish_ms", o.loadPublishMs);
        driver.failures.snapshot().forEach((code, n) -> line.put("failed_" + code, n));
        return line.put("target_devices_ok", true)
                .put("target_skew_ok", skew.value() < TARGET_SKEW)
                .put("target_lost_ok", lostUnicast + missingCopies == 0)
                .put("target_memory_ok", memoryOk);
    }

    /**
     * Single-node figures of docs/benchmarks.md (idle-connections, mean of three runs on the 2026-12-05
     * build): the 10% target's base, for live heap and for memory (live heap plus resident memory
     * outside the heap).
     */
    static final double SINGLE_NODE_HEAP = 1_616;
    static final double SINGLE_NODE_MEMORY = 1_786;


    /**
     * Largest minus smallest node connection count over the mean: how unevenly the bootstrap placed
     * the devices (0 = evenly).
     */
    record Skew(double value, long min, long max) {
        static Skew of(long[] counts) {
            long min = Arrays.stream(counts).min().orElse(0);
            long max = Arrays.stream(counts).max().orElse(0);
            double mean = Arrays.stream(counts).average().orElse(0);
            return new Skew(mean == 0 ? 0 : (max - min) / mean, min, max);
        }

        String text() {
            return String.format(java.util.Locale.ROOT, "%.3f (min %d, max %d)", value, min, max);
        }
    }

    /**
     * Asks every shard for what its devices received until every accepted push is accounted for, or
     * no new delivery arrived for the grace period, or {@code --drain-max-s} passed, or the time cap nears.
     */
    private ShardReport awaitDeliveries(List<ShardProcess> shards, PushDriver driver, Path out, Deadline deadline)
            throws Exception {
        long expected = driver.unicasts.size() + (long) driver.broadcasts.size() * o.devices;
        long quietEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.graceS);
        long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.drainMaxS);
        long last = -1;
        while (true) {
            ShardReport r = new ShardReport();
            for (int k = 0; k < shards.size(); k++) {
                Path file = out.resolve("received-" + (k + 1) + ".txt");
                shards.get(k).report(file, Duration.ofSeconds(60));
                r.add(file);
            }
            long got = 0;
            for (Long id : driver.unicasts.keySet()) {
                got += r.unicastLatencyMs.containsKey(id) ? 1 : 0;
            }
            for (Long id : driver.broadcasts.keySet()) {
                got += Math.min(o.devices, r.copies(id));
            }
            long now = System.nanoTime();
            if (got > last) {
                last = got;
                quietEnd = now + TimeUnit.SECONDS.toNanos(o.graceS);
            }
            // an overloaded stack may keep delivering copies again and again: the wait is bounded
            boolean timeUp = deadline.remainingNanos() < TimeUnit.SECONDS.toNanos(90) || now - drainEnd >= 0;
            if (got >= expected || now - quietEnd >= 0 || timeUp) {
                log.info("accounted {} of {} expected deliveries{}", got, expected,
                        got >= expected ? "" : timeUp ? " (time cap near, or --drain-max-s over)" : " (nothing new for " + o.graceS + " s)");
                return r;
            }
            TimeUnit.SECONDS.sleep(2);
        }
    }

    /**
     * Connects and closes {@code --warmup-connections} devices per node, straight to each node, in
     * rounds until every node ran 2 GCs or {@code --warmup-max-s} passed, as the idle-connections
     * scenario warms its node: the CONNECT path's classes, compiled code and first-touched heap
     * pages are then in the empty node's figures, not in the per-connection ones.
     */
    private void warmUp(Stack stack, CreateAppResponse app, List<Node> nodes, Deadline deadline) throws Exception {
        int perRound = o.warmupConnections * nodes.size();
        if (perRound == 0) {
            return;
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.warmupMaxS);
        long[] gcStart = gcCounts(nodes);
        GeneratorSettings gs = GeneratorSettings.forDevices(stack.devices(), o.sourceIps, 2, 512, Duration.ofSeconds(60));
        try (LoadGenerator gen = new LoadGenerator(gs)) {
            for (int round = 0; ; round++) {
                ConnectBatch b = gen.open(ConnectFrames.forDevices(app.getAppKey(), app.getSecret(), "w" + round,
                        perRound, 300, System.currentTimeMillis() / 1000 + 86_400));
                b.done().get(deadline.budget(Duration.ofMinutes(4), "warming up").toMillis(), TimeUnit.MILLISECONDS);
                gen.disconnect(b).get(deadline.budget(Duration.ofMinutes(1), "closing warm-up devices").toMillis(),
                        TimeUnit.MILLISECONDS);
                awaitNodeCounts(nodes, 0, deadline);
                long[] gcs = gcCounts(nodes);
                long fewest = Long.MAX_VALUE;
                for (int i = 0; i < gcs.length; i++) {
                    fewest = Math.min(fewest, gcs[i] - gcStart[i]);
                }
                log.info("warm-up round={} connected={} failed={} fewest_node_gcs={}", round, b.connected(), b.failed(),
                        fewest);
                if (fewest >= 2 || System.nanoTime() - until >= 0) {
                    return;
                }
            }
        }
    }

    private static long[] gcCounts(List<Node> nodes) throws Exception {
        long[] out = new long[nodes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = NodeProbe.gcCount(nodes.get(i).probe().metrics());
        }
        return out;
    }

    /** Waits until the conn-nodes' gauges add up to {@code connected}; returns each node's count. */
    private static long[] awaitNodeCounts(List<Node> nodes, long connected, Deadline deadline) throws Exception {
        long end = System.nanoTime() + deadline.budget(Duration.ofSeconds(120), "reading node connections").toNanos();
        while (true) {
            long[] counts = new long[nodes.size()];
            IOException unread = null;
            for (int i = 0; i < nodes.size() && unread == null; i++) {
                try {
                    counts[i] = (long) nodes.get(i).probe().metrics().value(CONNECTIONS_METRIC).orElseThrow(
                            () -> new IOException("a conn-node's /metrics has no " + CONNECTIONS_METRIC));
                } catch (IOException e) {
                    // a poll, not a check: a scrape that fails once is read again on the next round
                    unread = new IOException(nodes.get(i).name() + " /metrics: " + e, e);
                    log.warn("could not read the connections of {}: {}", nodes.get(i).name(), e.toString());
                }
            }
            if (unread == null && Arrays.stream(counts).sum() == connected) {
                return counts;
            }
            if (System.nanoTime() - end >= 0) {
                if (unread != null) {
                    throw unread;
                }
                throw new IllegalStateException("conn-node connections " + Arrays.toString(counts) + " do not add up to "
                        + connected + " connected devices");
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /** conn-1.. of the stack: device listener, pid (from the stack's pids) and admin URL ({@link #CONN_ADMINS}). */
    private static List<Node> nodes(Stack stack) {
        String admins = System.getProperty(CONN_ADMINS, "").strip();
        List<String> urls = admins.isEmpty() ? List.of(stack.admin().toString()) : List.of(admins.split(","));
        if (urls.size() != stack.devices().size()) {
            throw new IllegalStateException(CONN_ADMINS + ": " + urls.size() + " admin URLs for " + stack.devices().size()
                    + " conn-nodes; run through ops/bench sharded");
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            String name = "conn-" + (i + 1);
            Long pid = i == 0 ? Long.valueOf(stack.connPid()) : stack.pids().get(name);
            if (pid == null) {
                throw new IllegalStateException(Stack.PIDS + " has no " + name + "; run through ops/bench sharded");
            }
            nodes.add(new Node(name, stack.devices().get(i), pid, new NodeProbe(pid, URI.create(urls.get(i).strip()))));
        }
        return nodes;
    }

    private static List<String> jvm(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** CPU of each kind of process over the load, in percent of one core, summed over its processes. */
    private static Map<String, Double> cpuByRole(Map<String, Long> before, Map<String, Long> after, long elapsedMs) {
        Map<String, Double> out = new LinkedHashMap<>();
        ProcessCpu.percent(before, after, elapsedMs).forEach((name, pct) ->
                out.merge(name.replaceAll("-\\d+$", "").replace('-', '_'), pct, Double::sum));
        return out;
    }
}
