package io.longlink.loadtest.idle;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.loadtest.client.ConnectBatch;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.DeviceTransport;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.PushListener;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.probe.ClassHistogram;
import io.longlink.loadtest.probe.CpuTimes;
import io.longlink.loadtest.probe.KernelMemory;
import io.longlink.loadtest.probe.KernelShare;
import io.longlink.loadtest.probe.NodeProbe;
import io.longlink.loadtest.probe.PerConnection;
import io.longlink.loadtest.probe.PrometheusText;
import io.longlink.loadtest.probe.RouteCount;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much one idle, authenticated device connection costs a conn-node, and how fast the node
 * takes CONNECTs. Warm-up rounds (excluded from every figure) run until the node has been through
 * two young collections, so its code is compiled and its young generation is resident; then the
 * node is measured, N connections are opened and left idle, checked on the node (connections
 * gauge, one route per device in Redis) and the node is measured again.
 */
final class IdleConnectionsScenario {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final int FD_HEADROOM = 200;
    /** Folder for detail files (heap growth per class); ops/bench points it at its logs. */
    static final String OUT_DIR = "longlink.bench.out";
    /** Targets of the issues: per idle authenticated connection (TCP, MQTT), and CONNECTs per second. */
    static final long TARGET_HEAP_BYTES = 2_048;
    static final long TARGET_MQTT_HEAP_BYTES = 2_560;
    static final long TARGET_WS_HEAP_BYTES = 3_072;
    static final long TARGET_RSS_BYTES = 4_096;
    static final long TARGET_CONNECTS_PER_S = 8_000;

    private final IdleConnectionsCommand o;

    IdleConnectionsScenario(IdleConnectionsCommand options) {
        this.o = requireNonNull(options, "options");
    }

    ResultLine run(Stack stack) throws Exception {
        requireNonNull(stack, "stack");
        Deadline deadline = Deadline.insideTimeCap(o.timeCapS, 20);
        int n = o.connections;
        int hb = o.heartbeatS;
        String metric = o.connectionsMetric;
        checkOpenFileLimit(ProcessHandle.current().pid(), n, "the load generator");
        checkOpenFileLimit(stack.connPid(), n, "the conn-node");

        NodeProbe node = new NodeProbe(stack.connPid(), stack.admin());
        boolean compact = node.flagOn("UseCompactObjectHeaders");
        if (o.compactHeadersGiven() && compact != o.compactHeaders) {
            throw new IllegalStateException("--compact-headers " + o.compactHeaders
                    + " but the running conn-node has UseCompactObjectHeaders=" + compact);
        }
        List<String> flags = node.jvmFlags();
        log.info("conn-node pid={} jvm_flags=\"{}\" compact_headers={}", stack.connPid(), String.join(" ", flags),
                compact);

        String run = HexFormat.of().formatHex(random(4));
        App app = new App("bench-" + run, HexFormat.of().formatHex(random(16)));
        App warmApp = new App("bench-warm-" + run, HexFormat.of().formatHex(random(16)));
        // conn-1's listener of the transport: the node measured
        GeneratorSettings gs = GeneratorSettings.forDevices(List.of(o.transport.endpoints(stack).get(0)), o.sourceIps,
                o.ioThreads, o.maxInFlight, CONNECT_DEADLINE).over(o.transport);
        long targetHeap = switch (o.transport) {
            case MQTT -> TARGET_MQTT_HEAP_BYTES;
            case WS -> TARGET_WS_HEAP_BYTES;
            case TCP -> TARGET_HEAP_BYTES;
        };

        try (RedisStore redis = RedisStore.open(stack.redisUri(), false, 5_000);
             LoadGenerator gen = new LoadGenerator(gs)) {
            RedisClusterAsyncCommands<String, byte[]> cmd = redis.async();
            createApp(cmd, app);
            createApp(cmd, warmApp);
            ConnectBatch measured = null;
            try {
                long base = (long) gauge(node, metric);
                int warmupConnects = warmUp(o, gen, node, warmApp, hb, base, metric, deadline);

                waitFor("conn-node back to " + base + " connections after warm-up", () -> (long) gauge(node, metric),
                        base, deadline);
                pause("settling after warm-up", o.settleS, deadline);
                KernelMemory kernelBefore = KernelMemory.read();
                NodeProbe.Snapshot before = node.measure();
                log.info("baseline heap_used={} rss={} heap_rss={} direct={} tcp_sockets={}", before.heapUsed(),
                        before.rss(), before.heapRss(), before.direct(), kernelBefore.tcpInUse());

                List<byte[]> frames = connectFrames(app, "d", n, hb);
                String loadAvg = CpuTimes.loadAverage();
                CpuSample cpuBefore = CpuSample.take(stack);
                log.info("connect phase: {} devices, {} in flight at most, {} source addresses", n,
                        gs.maxInFlight(), gs.sources().size());
                measured = gen.open(frames);
                await(measured.done(), "during the connect phase of " + n + " devices", deadline,
                        Duration.ofHours(1));
                log.info("connect phase done connected={} failed={} failures={} elapsed_s={} connects_per_s={}",
                        measured.connected(), measured.failed(), measured.failures(),
                        String.format("%.2f", measured.elapsedSeconds()),
                        String.format("%.0f", measured.connectsPerSecond()));
                CpuSample cpu = CpuSample.take(stack).minus(cpuBefore);
                log.info("connect phase cpu_ms node={} generator={} redis={} interrupts={} other={}", cpu.nodeMs(),
                        cpu.generatorMs(), cpu.redisMs(), cpu.interruptMs(), cpu.otherMs());
                if (measured.connected() != n) {
                    throw new IllegalStateException(measured.failed() + " of " + n + " connects failed: "
                            + measured.failures());
                }

                pause("holding connections idle", o.idleS, deadline);
                long nodeConnections = waitFor("conn-node connections gauge " + metric + " = " + (base + n),
                        () -> (long) gauge(node, metric), base + n, deadline);
                long routes = waitFor("one route per device in Redis (" + RedisKeys.ROUTE + "{" + app.key() + ":*})",
                        () -> RouteCount.of(cmd, app.key()), n, deadline);
                Map<String, Long> drops = gen.drops();
                if (!drops.isEmpty()) {
                    throw new IllegalStateException("the conn-node closed idle connections: " + drops);
                }

                KernelMemory kernelAfter = KernelMemory.read();
                NodeProbe.Snapshot after = node.measure();
                long pageSize = pageSize();
                KernelShare kernel = KernelShare.between(kernelBefore, kernelAfter, n, pageSize);
                log.info("after heap_used={} rss={} heap_rss={} direct={} tcp_sockets={} kernel_delta={}",
                        after.heapUsed(), after.rss(), after.heapRss(), after.direct(), kernelAfter.tcpInUse(),
                        kernel.deltaBytes());

                reportHeapGrowth(before.histogram(), after.histogram(), n, compact);
                Map<String, Long> byOrigin = after.histogram().growthByOrigin(before.histogram());
                // Live objects counted one by one; "used" also holds the dead space a full GC may leave in place.
                PerConnection cost = PerConnection.between(before, after, n);
                double directPer = (after.direct() - before.direct()) / (double) n;
                double kernelPer = kernel.serverBytes() / (double) n;
                double connects = measured.connectsPerSecond();
                return new ResultLine()
                        .put("scenario", IdleConnectionsCommand.NAME)
                        .put("status", "ok")
                        .put("transport", o.transport.optionValue())
                        .put("connections", n)
                        .put("compact_headers", compact)
                        .put("heap_bytes_per_conn", cost.heap(), 0)
                        .put("rss_bytes_per_conn", cost.rss(), 0)
                        .put("native_rss_bytes_per_conn", cost.nativeRss(), 0)
                        .put("memory_bytes_per_conn", cost.memory(), 0)
                        .put("kernel_bytes_per_conn", kernelPer, 0)
                        .put("direct_bytes_per_conn", directPer, 0)
                        .put("connects_per_s", connects, 0)
                        .put("connect_p50_ms", measured.latencyMicros(0.50) / 1000.0, 1)
                        .put("connect_p99_ms", measured.latencyMicros(0.99) / 1000.0, 1)
                        .put("node_connections", nodeConnections - base)
                        .put("routes", routes)
                        .put("dropped", 0)
                        .put("heap_used_bytes_per_conn", (after.heapUsed() - before.heapUsed()) / (double) n, 0)
                        .put("heap_metrics_bytes_per_conn",
                                (after.heapUsedMetrics() - before.heapUsedMetrics()) / (double) n, 0)
                        .put("heap_netty_bytes_per_conn", byOrigin.get("netty") / (double) n, 0)
                        .put("heap_longlink_bytes_per_conn", byOrigin.get("longlink") / (double) n, 0)
                        .put("heap_jdk_bytes_per_conn", byOrigin.get("jdk") / (double) n, 0)
                        .put("kernel_both_ends_bytes_per_conn", kernel.totalBytes() / (double) n, 0)
                        .put("slab_readable", kernelAfter.slabReadable())
                        .put("heap_before_mb", before.heapUsed() / 1048576.0, 1)
                        .put("heap_after_mb", after.heapUsed() / 1048576.0, 1)
                        .put("rss_before_mb", before.rss() / 1048576.0, 1)
                        .put("rss_after_mb", after.rss() / 1048576.0, 1)
                        .put("heap_rss_before_mb", before.heapRss() / 1048576.0, 1)
                        .put("heap_rss_after_mb", after.heapRss() / 1048576.0, 1)
                        .put("loadavg_1m", loadAvg)
                        .put("cpu_ms_per_1k_connects_node", cpu.nodeMs() * 1000.0 / n, 0)
                        .put("cpu_ms_per_1k_connects_generator", cpu.generatorMs() * 1000.0 / n, 0)
                        .put("cpu_ms_per_1k_connects_redis", stack.redisPid() == 0 ? "unknown"
                                : Long.toString(Math.round(cpu.redisMs() * 1000.0 / n)))
                        .put("cpu_ms_per_1k_connects_interrupts", cpu.interruptMs() * 1000.0 / n, 0)
                        .put("cpu_ms_per_1k_connects_other", cpu.otherMs() * 1000.0 / n, 0)
                        .put("warmup_connects", warmupConnects)
                        .put("heartbeat_s", hb)
                        .put("pings", gen.pings())
                        .put("io_threads", gs.ioThreads())
                        .put("max_in_flight", gs.maxInFlight())
                        .put("source_ips", gs.sources().size())
                        .put("conn_jvm", String.join(",", flags))
                        .put("target_heap_bytes", targetHeap)
                        .put("target_heap_ok", cost.heap() <= targetHeap)
                        .put("target_rss_ok", cost.rss() <= TARGET_RSS_BYTES)
                        .put("target_connects_ok", connects >= TARGET_CONNECTS_PER_S);
            } finally {
                if (measured != null) {
                    closeQuietly(gen, measured);
                }
                try {
                    cmd.del(RedisKeys.app(app.key()), RedisKeys.app(warmApp.key())).get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    log.warn("could not delete the benchmark apps: {}", e.toString());
                }
            }
        }
    }

    private record App(String key, String secret) {
    }

    /**
     * CPU milliseconds of the node, this generator, Redis, interrupts (loopback TCP runs mostly in
     * softirq, charged to no process) and the machine as a whole.
     */
    private record CpuSample(long nodeMs, long generatorMs, long redisMs, long interruptMs, long machineMs) {
        /** /proc reports CPU time in USER_HZ ticks, 100 per second on Linux whatever the kernel's HZ. */
        static final long TICK_MS = 10;

        static CpuSample take(Stack stack) throws IOException {
            long redis = stack.redisPid() == 0 ? 0 : CpuTimes.processTicks(stack.redisPid());
            CpuTimes.Machine m = CpuTimes.machine();
            return new CpuSample(CpuTimes.processTicks(stack.connPid()) * TICK_MS,
                    CpuTimes.processTicks(ProcessHandle.current().pid()) * TICK_MS, redis * TICK_MS,
                    m.interrupts() * TICK_MS, m.busy() * TICK_MS);
        }

        CpuSample minus(CpuSample b) {
            return new CpuSample(nodeMs - b.nodeMs, generatorMs - b.generatorMs, redisMs - b.redisMs,
                    interruptMs - b.interruptMs, machineMs - b.machineMs);
        }

        /** Everything else that ran meanwhile: other processes on the machine. */
        long otherMs() {
            return Math.max(0, machineMs - nodeMs - generatorMs - redisMs - interruptMs);
        }
    }

    /**
     * Connect-and-disconnect rounds against a separate app, until the node has run two young
     * collections (its young generation has then been touched all over, so later RSS growth is
     * connection data, not first use of the heap) or the warm-up time is spent.
     */
    private static int warmUp(IdleConnectionsCommand o, LoadGenerator gen, NodeProbe node, App warmApp, int hb,
                              long base, String metric, Deadline deadline) throws Exception {
        int perRound = o.warmupConnections;
        if (perRound == 0) {
            return 0;
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.warmupMaxS);
        long gcStart = NodeProbe.gcCount(node.metrics());
        int total = 0;
        for (int round = 0; ; round++) {
            ConnectBatch b = gen.open(connectFrames(warmApp, "w" + round, perRound, hb));
            await(b.done(), "during warm-up round " + round, deadline, CONNECT_DEADLINE.multipliedBy(4));
            if (b.connected() == 0) {
                throw new IllegalStateException("warm-up: no device could connect: " + b.failures());
            }
            total += b.connected();
            await(gen.disconnect(b), "closing warm-up round " + round, deadline, SETTLE);
            waitFor("conn-node back to " + base + " connections after warm-up round " + round,
                    () -> (long) gauge(node, metric), base, deadline);
            long gcs = NodeProbe.gcCount(node.metrics()) - gcStart;
            log.info("warm-up round={} connected={} failed={} rate={}/s node_gcs={}", round, b.connected(), b.failed(),
                    String.format("%.0f", b.connectsPerSecond()), gcs);
            if (gcs >= 2 || System.nanoTime() - until >= 0) {
                return total;
            }
        }
    }

    private static List<byte[]> connectFrames(App app, String prefix, int count, int heartbeatSeconds) {
        return ConnectFrames.forDevices(app.key(), app.secret(), prefix, count, heartbeatSeconds,
                System.currentTimeMillis() / 1000 + 86_400);
    }

    private static void createApp(RedisClusterAsyncCommands<String, byte[]> cmd, App app) throws Exception {
        Map<String, byte[]> fields = Map.of(
                RedisKeys.APP_SECRET, app.secret().getBytes(StandardCharsets.UTF_8),
                RedisKeys.APP_NAME, ("benchmark " + app.key()).getBytes(StandardCharsets.UTF_8),
                RedisKeys.APP_CREATED_MS, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
        cmd.hset(RedisKeys.app(app.key()), fields).get(10, TimeUnit.SECONDS);
    }

    private static double gauge(NodeProbe node, String metric) throws IOException, InterruptedException {
        PrometheusText m = node.metrics();
        return m.value(metric).orElseThrow(() -> new IOException("the conn-node's /metrics has no " + metric
                + " (set --connections-metric to its open-connections gauge)"));
    }

    @FunctionalInterface
    private interface Reading {
        long read() throws Exception;
    }

    /** Polls until {@code reading} equals {@code expected}, at most {@link #SETTLE}; returns the value. */
    private static long waitFor(String what, Reading reading, long expected, Deadline deadline) throws Exception {
        long end = System.nanoTime() + deadline.budget(SETTLE, "waiting for " + what).toNanos();
        long last;
        while (true) {
            last = reading.read();
            if (last == expected) {
                return last;
            }
            if (System.nanoTime() - end >= 0) {
                throw new TimeoutException("waiting for " + what + ": still " + last + " after "
                        + SETTLE.toSeconds() + " s");
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static <T> T await(Future<T> f, String during, Deadline deadline, Duration wanted) throws Exception {
        Duration budget = deadline.budget(wanted, during);
        try {
            return f.get(budget.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw deadline.remainingNanos() == 0 ? deadline.expired(during)
                    : new TimeoutException("no end " + during + " within " + budget.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    private static void pause(String what, int seconds, Deadline deadline) throws Exception {
        if (seconds > 0) {
            log.info("{} for {} s", what, seconds);
            TimeUnit.NANOSECONDS.sleep(deadline.budget(Duration.ofSeconds(seconds), what).toNanos());
        }
    }

    private static void closeQuietly(LoadGenerator gen, ConnectBatch batch) {
        try {
            gen.disconnect(batch).get(SETTLE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("closing the benchmark connections did not finish: {}", e.toString());
        }
    }

    /** Fails early, with the numbers, when a process could not hold the connections plus its own files. */
    static void checkOpenFileLimit(long pid, int connections, String who) throws IOException {
        String limits = Files.readString(Path.of("/proc", Long.toString(pid), "limits"));
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).strip().split("\\s+")[0];
                if (!soft.equals("unlimited") && Long.parseLong(soft) < (long) connections + FD_HEADROOM) {
                    throw new IllegalStateException(who + " (pid " + pid + ") may open " + soft
                            + " files, too few for " + connections + " connections plus " + FD_HEADROOM
                            + " (raise ulimit -n or lower --connections)");
                }
                return;
            }
        }
    }

    /**
     * Logs the classes that grew most per connection, and writes every class that changed to
     * {@code heap-growth-*.txt} in the folder named by {@code longlink.bench.out}, if set.
     */
    private static void reportHeapGrowth(ClassHistogram before, ClassHistogram after, int n, boolean compact)
            throws IOException {
        for (ClassHistogram.Growth g : after.growthSince(before, 12)) {
            log.info("heap growth per connection: {} bytes, {} instances  {}",
                    String.format("%7.1f", g.bytes() / (double) n),
                    String.format("%5.2f", g.instances() / (double) n), g.className());
        }
        String dir = System.getProperty(OUT_DIR, "").strip();
        if (dir.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(String.format("# bytes/conn instances/conn class  (%d connections,"
                + " compact_headers=%s)%n", n, compact));
        for (ClassHistogram.Growth g : after.growthSince(before, Integer.MAX_VALUE)) {
            if (g.bytes() != 0 || g.instances() != 0) {
                sb.append(String.format("%9.1f %7.3f %s%n", g.bytes() / (double) n, g.instances() / (double) n,
                        g.className()));
            }
        }
        Path file = Path.of(dir, "heap-growth-" + (compact ? "compact-" : "") + System.currentTimeMillis() + ".txt");
        Files.writeString(file, sb);
        log.info("heap growth per class written to {}", file);
    }

    private static long pageSize() {
        try {
            Process p = new ProcessBuilder("getconf", "PAGESIZE").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the x86-64 page size
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 4_096;
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
