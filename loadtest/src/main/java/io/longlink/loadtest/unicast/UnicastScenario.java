package io.longlink.loadtest.unicast;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.loadtest.client.ConnectBatch;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.probe.RouteCount;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.AppAdmin;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.unicast.load.AcceptedLog;
import io.longlink.loadtest.unicast.load.LoadSettings;
import io.longlink.loadtest.unicast.load.LoadSummary;
import io.longlink.loadtest.unicast.load.UnicastSimulation;
import io.longlink.loadtest.unicast.tally.DeliveryRecorder;
import io.longlink.loadtest.unicast.tally.DeliveryTally;
import io.longlink.proto.api.CreateAppResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end unicast: Gatling (its own JVM) calls PushService.PushBatch (or Push, with
 * {@code --batch 1}) at a constant open-model rate of unicast pushes to random simulated devices; this JVM holds the devices (over every conn-node, real tokens,
 * batched ACKs) and records, per message id, API-accept-to-device latency. After the load, late messages
 * may arrive until a grace period passes without any delivery; then every id the API accepted must
 * have reached its device.
 */
final class UnicastScenario {
    private static final Logger log = LoggerFactory.getLogger("bench");
    static final long TARGET_ACKED_PER_S = 20_000;
    static final long TARGET_P99_MS = 100;
    /**
     * Sustained: no failed call, acked_per_s at least this share of the offered rate, and p99 at most
     * {@link #SUSTAINED_P99_MS}. The latency bound matters: a pipeline that falls behind still shows a
     * full ack rate for a while (it drains the warm-up's backlog) but its latency grows into seconds.
     */
    static final double SUSTAINED_SHARE = 0.97;
    static final long SUSTAINED_P99_MS = 1_000;
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(60);
    private static final String GATLING_MAIN = "io.gatling.app.Gatling";

    private final UnicastCommand o;

    UnicastScenario(UnicastCommand options) {
        this.o = requireNonNull(options, "options");
    }

    ResultLine run(Stack stack) throws Exception {
        requireNonNull(stack, "stack");
        Deadline deadline = Deadline.insideTimeCap(o.timeCapS, 30);
        stack.requireApi(UnicastCommand.NAME);
        int devices = o.devices;
        int rate = o.rate;
        int warmup = o.warmupS;
        int duration = o.durationS;
        Path out = Path.of(System.getProperty("longlink.bench.out", "target/bench"), "unicast");
        deleteTree(out);
        Files.createDirectories(out);

        // the bench measures the pipeline, not the app's plan: the highest push rate an app may have
        CreateAppResponse app = AppAdmin.create(stack, "bench unicast", AppAdmin.MAX_PUSHES_PER_S);
        log.info("app {} created through the API", app.getAppKey());
        GeneratorSettings gs = GeneratorSettings.forDevices(stack.devices(), o.sourceIps, o.ioThreads, 512,
                CONNECT_DEADLINE);
        long epochMs = System.currentTimeMillis();
        long spanMs = TimeUnit.SECONDS.toMillis(o.timeCapS);
        long planned = (long) rate * (warmup + duration);
        int maxIds = (int) Math.min(Integer.MAX_VALUE - 8, planned * 2 + 100_000);

        try (RedisStore redis = RedisStore.open(stack.redisUri(), false, 5_000);
             LoadGenerator gen = new LoadGenerator(gs, () -> new DeliveryRecorder(System::currentTimeMillis, epochMs,
                     spanMs, maxIds))) {
            // AOF stays on (everysec); only its background rewrite, a fork that stalls a 2-core box, is put off
            redis.async().configSet("auto-aof-rewrite-min-size", "4gb").get(5, TimeUnit.SECONDS);
            ConnectBatch batch = gen.open(ConnectFrames.forDevices(app.getAppKey(), app.getSecret(), "u", devices, 300,
                    System.currentTimeMillis() / 1000 + 86_400));
            batch.done().get(deadline.budget(CONNECT_DEADLINE.multipliedBy(3), "connecting devices").toMillis(),
                    TimeUnit.MILLISECONDS);
            log.info("devices connected={} failed={} failures={} over {} conn-nodes", batch.connected(), batch.failed(),
                    batch.failures(), gs.remotes().size());
            if (batch.connected() != devices) {
                throw new IllegalStateException(batch.failed() + " of " + devices + " devices could not connect: "
                        + batch.failures());
            }
            long routes = RouteCount.of(redis.async(), app.getAppKey());
            if (routes != devices) {
                throw new IllegalStateException(routes + " routes in Redis for " + devices + " connected devices");
            }

            LoadSettings load = new LoadSettings(stack.api(), app.getAppKey(), app.getSecret(), "u", devices, rate,
                    o.batch, warmup, duration, o.payloadBytes, o.ttlS,
                    o.apiChannels,
                    o.maxInFlight, 10_000, out);
            Path gatlingLog = out.resolveSibling("bench-unicast-gatling.log");
            Process gatling = startGatling(o, load, out, gatlingLog);
            CpuWindow cpu;
            RedisCommandWindow redisWindow = new RedisCommandWindow(redis);
            LoadSummary summary;
            try {
                long startMs = awaitLoadStart(gatling, out, gatlingLog, deadline);
                long measureStart = startMs + TimeUnit.SECONDS.toMillis(warmup);
                long measureEnd = measureStart + TimeUnit.SECONDS.toMillis(duration);
                log.info("load started: warm-up {} s, then {} pushes/s for {} s", warmup, rate, duration);
                cpu = CpuWindow.measure(stack, gatling.pid(), measureStart, measureEnd,
                        out.resolveSibling("bench-unicast-top.txt"), deadline, redisWindow);
                long left = deadline.budget(Duration.ofSeconds(240), "waiting for Gatling to end").toMillis();
                if (!gatling.waitFor(left, TimeUnit.MILLISECONDS)) {
                    throw new TimeoutException("Gatling still running " + left / 1000 + " s after the load; log: "
                            + gatlingLog);
                }
                Path summaryFile = out.resolve(LoadSummary.FILE);
                if (!Files.exists(summaryFile)) {
                    throw new IllegalStateException("Gatling exited " + gatling.exitValue() + " without a summary; log: "
                            + gatlingLog);
                }
                summary = LoadSummary.read(summaryFile);
            } finally {
                if (gatling.isAlive()) {
                    gatling.destroyForcibly();
                }
            }
            long[] accepted = AcceptedLog.readIds(out.resolve(LoadSummary.IDS_FILE));
            log.info("load done: accepted={} (warm-up {}, measured {}) failed={} (measured {}) {}", summary.accepted(),
                    summary.acceptedWarmup(), summary.acceptedMeasured(), summary.failedTotal(),
                    summary.failedMeasured(), summary.failures());

            DeliveryTally.Report report = awaitDeliveries(gen, accepted, summary, epochMs, spanMs,
                    Duration.ofSeconds(o.graceS), deadline);
            long lostStored = lostButStored(redis, report.lostIds());
            gen.disconnect(batch).get(30, TimeUnit.SECONDS);
            double acked = report.ackedPerSecond();
            return result(o, summary, report, cpu, gen).put("lost_stored", lostStored)
                    .put("redis_calls_per_push", redisWindow.callsPerPush(acked), 2)
                    .put("redis_us_per_push", redisWindow.microsPerPush(acked), 1)
                    .put("inbox_writes_per_push", redisWindow.inboxWritesPerPush(acked), 3);
        }
    }

    private static ResultLine result(UnicastCommand o, LoadSummary summary, DeliveryTally.Report r, CpuWindow cpu,
                                     LoadGenerator gen) {
        int rate = o.rate;
        double measuredS = Math.max(1, summary.measureEndMs() - summary.measureStartMs()) / 1000.0;
        boolean sustained = sustained(summary.failedMeasured(), r.ackedPerSecond(), r.p99Ms(), rate);
        ResultLine line = new ResultLine()
                .put("scenario", UnicastCommand.NAME)
                .put("status", "ok")
                .put("acked_per_s", r.ackedPerSecond(), 0)
                .put("p50_ms", r.p50Ms())
                .put("p99_ms", r.p99Ms())
                .put("lost", r.lost())
                .put("rate", rate)
                .put("batch", o.batch)
                .put("devices", o.devices)
                .put("accepted_per_s", summary.acceptedMeasured() / measuredS, 0)
                .put("p999_ms", r.p999Ms())
                .put("max_ms", r.maxMs())
                .put("sustained", sustained)
                .put("accepted", summary.accepted())
                .put("failed", summary.failedTotal())
                .put("failed_measured", summary.failedMeasured())
                .put("received", r.received())
                .put("duplicates", r.duplicates())
                .put("unexpected", r.unexpected())
                .put("measured_msgs", r.measuredCount())
                .put("window_s", r.windowSeconds(), 1)
                .put("warmup_p99_ms", r.warmupP99Ms())
                .put("routers", o.routers)
                .put("conn_nodes", o.connNodes)
                .put("ttl_s", o.ttlS)
                .put("payload_bytes", o.payloadBytes)
                .put("receipts", o.receipts)
                .put("drops", gen.drops().isEmpty() ? "none" : gen.drops().toString().replace(' ', '_'));
        summary.failures().forEach((code, n) -> line.put("failed_" + code.toLowerCase(java.util.Locale.ROOT), n));
        cpu.percentByProcess().forEach((name, pct) -> line.put("cpu_pct_" + name.replace('-', '_'), pct, 0));
        return line.put("cpu_pct_machine", cpu.machinePercent(), 0)
                .put("cpu_pct_irq", cpu.interruptPercent(), 0)
                .put("cpu_pct_jit", cpu.jitPercent(), 0)
                .put("cpu_pct_steal", cpu.stealPercent(), 0)
                .put("loadavg_1m", cpu.loadAverage())
                .put("target_acked_ok", r.ackedPerSecond() >= TARGET_ACKED_PER_S)
                .put("target_p99_ok", r.p99Ms() >= 0 && r.p99Ms() < TARGET_P99_MS);
    }

    static boolean sustained(long failedCalls, double ackedPerSecond, long p99Ms, int rate) {
        return failedCalls == 0 && ackedPerSecond >= SUSTAINED_SHARE * rate && p99Ms >= 0 && p99Ms <= SUSTAINED_P99_MS;
    }

    /**
     * Waits until every accepted id has reached a device, or until no delivery has arrived for a
     * whole grace period (a pipeline that fell behind keeps delivering its backlog, and those ids are
     * late, not lost), or until the time cap leaves only {@code grace} for the rest; then returns the
     * figures. Progress is read on each device loop, so no recorder is touched across threads.
     */
    private static DeliveryTally.Report awaitDeliveries(LoadGenerator gen, long[] accepted, LoadSummary summary,
                                                        long epochMs, long spanMs, Duration grace,
                                                        Deadline deadline) throws Exception {
        long quietEnd = System.nanoTime() + deadline.budget(grace, "waiting for the last deliveries").toNanos();
        long lastReceived = -1;
        while (true) {
            DeliveryTally tally = new DeliveryTally(epochMs, spanMs);
            gen.onEachLoop(l -> tally.add((DeliveryRecorder) l)).get(30, TimeUnit.SECONDS);
            long now = System.nanoTime();
            if (tally.received() > lastReceived) {
                lastReceived = tally.received();
                quietEnd = now + grace.toNanos();
            }
            boolean graceOver = now - quietEnd >= 0 || deadline.remainingNanos() <= grace.toNanos();
            if (tally.received() >= accepted.length || graceOver) {
                DeliveryTally.Report r = tally.report(accepted.clone(), accepted.length, summary.measureStartMs(),
                        summary.measureEndMs());
                if (r.lost() == 0 || graceOver) {
                    log.info("highest latency in each second of the measured window (ms): {}", Arrays.toString(
                            tally.maxLatencyPerSecond(summary.measureStartMs(), summary.measureEndMs())));
                    log.info("deliveries: received={} distinct={} duplicates={} lost={} unexpected={} examples={}",
                            r.received(), r.distinct(), r.duplicates(), r.lost(), r.unexpected(),
                            r.lostIds().subList(0, Math.min(10, r.lostIds().size())));
                    if (r.refused() > 0 || r.outsideWindow() > 0 || r.unknownPhase() > 0) {
                        log.warn("recorder: refused={} outside_buckets={} unknown_phase={}", r.refused(),
                                r.outsideWindow(), r.unknownPhase());
                    }
                    return r;
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /**
     * Of the lost ids (at most the first {@link DeliveryTally#MAX_LOST_IDS}), how many the router
     * counted {@code stored} in their status hash: left in an inbox, so the device gets them on its
     * next CONNECT, not while it stays connected. One pipelined round of HGETs.
     */
    private static long lostButStored(RedisStore redis, List<Long> lost) throws Exception {
        if (lost.isEmpty()) {
            return 0;
        }
        List<java.util.concurrent.CompletableFuture<byte[]>> replies = new ArrayList<>(lost.size());
        for (long id : lost) {
            replies.add(redis.async().hget(RedisKeys.stat(id), RedisKeys.STAT_STORED).toCompletableFuture());
        }
        long stored = 0;
        for (var reply : replies) {
            byte[] v = reply.get(10, TimeUnit.SECONDS);
            if (v != null && !new String(v, java.nio.charset.StandardCharsets.US_ASCII).equals("0")) {
                stored++;
            }
        }
        log.info("lost: {} of the first {} lost ids have stored >= 1 in their status (left in the inbox)", stored,
                lost.size());
        return stored;
    }

    private static Process startGatling(UnicastCommand o, LoadSettings load, Path out, Path gatlingLog)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opt : o.gatlingJvm.split(",")) {
            if (!opt.isBlank()) {
                cmd.add(opt.strip());
            }
        }
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // Gatling's log writer reads String internals, as its Maven plugin allows when it forks
        cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        cmd.add("-Dgatling.data.enableAnalytics=false");
        cmd.addAll(load.systemProperties());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(GATLING_MAIN);
        cmd.add("-s");
        cmd.add(UnicastSimulation.class.getName());
        cmd.add("-rf");
        cmd.add(out.resolve("gatling").toString());
        cmd.add("-rd");
        cmd.add("unicast_rate_" + load.rate());
        cmd.add("-l");
        cmd.add("ops-bench");
        log.info("starting Gatling (log: {}, JVM: {})", gatlingLog, o.gatlingJvm);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(gatlingLog.toFile()).start();
        // ops/bench's time cap ends this JVM with SIGTERM: the load generator must not outlive it
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-gatling"));
        return p;
    }

    private static long awaitLoadStart(Process gatling, Path out, Path gatlingLog, Deadline deadline) throws Exception {
        Path started = out.resolve("load-started");
        long end = System.nanoTime() + deadline.budget(Duration.ofSeconds(120), "waiting for Gatling to start")
                .toNanos();
        while (!Files.exists(started)) {
            if (!gatling.isAlive()) {
                throw new IllegalStateException("Gatling exited " + gatling.exitValue() + " before the load started; log: "
                        + gatlingLog);
            }
            if (System.nanoTime() - end >= 0) {
                throw new TimeoutException("Gatling did not start the load within 120 s; log: " + gatlingLog);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return Long.parseLong(Files.readString(started).strip());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
