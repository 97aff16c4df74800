package io.longlink.loadtest.abuse;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.longlink.common.redis.RedisStore;
import io.longlink.loadtest.client.ConnectBatch;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.probe.ClassHistogram;
import io.longlink.loadtest.probe.NodeProbe;
import io.longlink.loadtest.probe.RouteCount;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.AppAdmin;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.unicast.tally.LongList;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abuse benchmark: healthy devices (the load generator's, real tokens, batched ACKs) receive
 * steady unicast pushes through the API; phase 1 measures them alone, phase 2 the same while every
 * attacker of the {@link AttackPlan} runs and one app pushes 10 times its quota. Between the phases
 * and at the end of phase 2 (attackers still on) the conn-node's heap is read after a full GC. Then
 * the pushes stop, and every accepted push must reach its device before a grace period without
 * deliveries passes.
 */
final class AbuseScenario {
    private static final Logger log = LoggerFactory.getLogger("bench");
    static final long TARGET_HEAP_GROWTH_MB = 64;
    static final double TARGET_P99_FACTOR = 2;
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(60);
    /** Pushes sent this long before a heap probe are in no figure: the probe's full GC would delay them. */
    private static final Duration BEFORE_PROBE = Duration.ofSeconds(2);
    private static final int QUOTA_FACTOR = 10;
    private static final int REHEARSAL_SETTLE_S = 10;
    private static final int PAYLOAD_BYTES = 64;
    private static final double MB = 1024.0 * 1024.0;

    private final AbuseCommand o;
    /** What happened when, written to {@code <logs>/abuse/timeline.txt} at the end. */
    private final List<String> timeline = new ArrayList<>();

    AbuseScenario(AbuseCommand options) {
        this.o = requireNonNull(options, "options");
    }

    ResultLine run(Stack stack) throws Exception {
        requireNonNull(stack, "stack");
        Deadline deadline = Deadline.insideTimeCap(o.timeCapS, 30);
        stack.requireApi(AbuseCommand.NAME);
        long started = System.currentTimeMillis();
        CreateAppResponse healthyApp = AppAdmin.create(stack, "bench abuse healthy", 0);
        CreateAppResponse abusiveApp = AppAdmin.create(stack, "bench abuse attacker", o.quota);
        log.info("apps {} (healthy) and {} (attacker, pushes_per_s quota {}) created", healthyApp.getAppKey(),
                abusiveApp.getAppKey(), o.quota);

        GeneratorSettings gs = GeneratorSettings.forDevices(List.of(stack.device()), o.sourceIps, 2, 256,
                CONNECT_DEADLINE);
        long spanMs = TimeUnit.SECONDS.toMillis(o.timeCapS);
        int maxIds = (int) Math.min(Integer.MAX_VALUE - 8,
                (long) o.rate * (o.warmupS + o.baselineS + o.attackS + 60) * 2 + 10_000);
        LongList acceptedIds = new LongList(4_096, maxIds);
        AtomicInteger phase = new AtomicInteger(HealthyRecorder.WARMUP);
        NodeProbe node = new NodeProbe(stack.connPid(), stack.admin());

        try (RedisStore redis = RedisStore.open(stack.redisUri(), false, 5_000);
             LoadGenerator gen = new LoadGenerator(gs, () -> new HealthyRecorder(System::currentTimeMillis, spanMs,
                     maxIds))) {
            ConnectBatch batch = gen.open(ConnectFrames.forDevices(healthyApp.getAppKey(), healthyApp.getSecret(), "h",
                    o.devices, 30, System.currentTimeMillis() / 1000 + 86_400));
            batch.done().get(deadline.budget(CONNECT_DEADLINE.multipliedBy(3), "connecting the healthy devices")
                    .toMillis(), TimeUnit.MILLISECONDS);
            log.info("healthy devices connected={} failed={} failures={} in {} s", batch.connected(), batch.failed(),
                    batch.failures(), String.format(Locale.ROOT, "%.1f", batch.elapsedSeconds()));
            if (batch.connected() != o.devices) {
                throw new IllegalStateException(batch.failed() + " of " + o.devices
                        + " healthy devices could not connect: " + batch.failures());
            }
            long routes = RouteCount.of(redis.async(), healthyApp.getAppKey());
            if (routes != o.devices) {
                throw new IllegalStateException(routes + " routes in Redis for " + o.devices + " connected devices");
            }

            PacedPushes healthy = new PacedPushes("healthy", stack.api(), healthyApp.getAppKey(),
                    healthyApp.getSecret(), o.rate, o.rate * 10,
                    n -> push("h-" + n % o.devices, phase.get(), 86_400), id -> {
                        synchronized (acceptedIds) {
                            acceptedIds.add(id);
                        }
                    });
            long[] phaseStartsMs = new long[3]; // phase 1, phase 2, the pause after it
            Heap before;
            Heap after;
            AttackSummary attack;
            try {
                healthy.start();
                mark("pushes to the healthy devices: " + o.rate + "/s; warm-up " + o.warmupS + " s");
                hold(deadline, o.warmupS, "in the warm-up");
                if (o.rehearsalS > 0) {
                    try (Attackers attackers = new Attackers(o.attackPlan(), attackTarget(stack), abusiveApp.getAppKey(),
                            abusiveApp.getSecret(), 2);
                         QuotaAbuse quota = QuotaAbuse.start(stack.api(), abusiveApp, o.quota, QUOTA_FACTOR)) {
                        attackers.start();
                        mark("rehearsal: every attacker for " + o.rehearsalS + " s, in no figure");
                        hold(deadline, o.rehearsalS, "in the rehearsal");
                        quota.stop();
                    }
                    int settleS = Math.min(REHEARSAL_SETTLE_S, o.rehearsalS);
                    mark("rehearsal over; " + settleS + " s without attackers");
                    hold(deadline, settleS, "after the rehearsal");
                }
                phase.set(HealthyRecorder.BASELINE);
                phaseStartsMs[0] = System.currentTimeMillis();
                mark("phase 1: the healthy devices alone for " + o.baselineS + " s");
                hold(deadline, o.baselineS, "in phase 1");
                phase.set(HealthyRecorder.BETWEEN);
                before = heap(node, deadline);
                mark("conn-node after a full GC: heap " + mb(before.heap) + " MB, direct " + mb(before.direct) + " MB");
                try (Attackers attackers = new Attackers(o.attackPlan(), attackTarget(stack), abusiveApp.getAppKey(),
                        abusiveApp.getSecret(), 2);
                     QuotaAbuse quota = QuotaAbuse.start(stack.api(), abusiveApp, o.quota, QUOTA_FACTOR)) {
                    attackers.start();
                    phase.set(HealthyRecorder.ATTACK);
                    phaseStartsMs[1] = System.currentTimeMillis();
                    mark("phase 2: the same load and " + o.attackPlan() + " for " + o.attackS + " s");
                    hold(deadline, o.attackS, "in phase 2");
                    phase.set(HealthyRecorder.BETWEEN);
                    phaseStartsMs[2] = System.currentTimeMillis();
                    after = heap(node, deadline);
                    mark("conn-node after a full GC, attackers still on: heap " + mb(after.heap) + " MB, direct "
                            + mb(after.direct) + " MB; grown most: " + grownClasses(before, after));
                    int openAtEnd = attackers.open();
                    attack = new AttackSummary(attackers.tally(), openAtEnd, quota.stop());
                }
            } finally {
                boolean answered = healthy.stop(Duration.ofSeconds(15));
                mark("healthy pushes stopped; every call answered: " + answered);
                healthy.close();
            }
            long[] accepted;
            synchronized (acceptedIds) {
                accepted = acceptedIds.toArray();
            }
            HealthyTally.Report report = awaitDeliveries(gen, accepted, spanMs, Duration.ofSeconds(o.graceS),
                    deadline, phaseStartsMs);
            Map<String, Long> drops = gen.drops();
            gen.disconnect(batch).get(30, TimeUnit.SECONDS);
            ResultLine line = result(report, healthy, drops, before, after, attack, started);
            Path out = Path.of(System.getProperty("longlink.bench.out", "target/bench"), "abuse");
            Files.createDirectories(out);
            timeline.add(line.format());
            Files.write(out.resolve("timeline.txt"), timeline, StandardCharsets.UTF_8);
            log.info("timeline: {}", out.resolve("timeline.txt"));
            return line;
        }
    }

    private static InetSocketAddress attackTarget(Stack stack) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(stack.device().getHostString()), stack.device().getPort());
    }

    private ResultLine result(HealthyTally.Report r, PacedPushes healthy, Map<String, Long> drops, Heap before,
                              Heap after, AttackSummary attack, long started) {
        long disconnects = drops.values().stream().mapToLong(Long::longValue).sum();
        double heapGrowthMb = before.known() && after.known() ? (after.heap - before.heap) / MB : Double.NaN;
        long p99Base = r.baseline().p99Ms();
        long p99Attack = r.attack().p99Ms();
        boolean p99Ok = p99Base >= 0 && p99Attack >= 0 && p99Attack <= TARGET_P99_FACTOR * Math.max(1, p99Base);
        boolean heapOk = !Double.isNaN(heapGrowthMb) && heapGrowthMb < TARGET_HEAP_GROWTH_MB;
        AttackTally t = attack.tally();
        mark(String.format(Locale.ROOT, "targets: lost=0 (got %d), healthy_disconnects=0 (got %d),"
                        + " healthy_p99_ms_attack <= %.0f x baseline (got %d ms against %d ms), conn_heap_growth_mb"
                        + " < %d (got %.1f)", r.lost(), disconnects, TARGET_P99_FACTOR, p99Attack, p99Base,
                TARGET_HEAP_GROWTH_MB, heapGrowthMb));
        mark("attackers: refused or closed by the node " + t.refused() + ", by reason " + t.reasons()
                + "; quota app: " + attack.quota());
        ResultLine line = new ResultLine()
                .put("scenario", AbuseCommand.NAME)
                .put("status", "ok")
                .put("healthy_p99_ms_baseline", p99Base)
                .put("healthy_p99_ms_attack", p99Attack)
                .put("conn_heap_growth_mb", heapGrowthMb, 1)
                .put("attackers_refused", t.refused())
                .put("healthy_disconnects", disconnects)
                .put("lost", r.lost())
                .put("target_lost_ok", r.lost() == 0)
                .put("target_disconnects_ok", disconnects == 0)
                .put("target_p99_ok", p99Ok)
                .put("target_heap_ok", heapOk)
                .put("healthy_p50_ms_baseline", r.baseline().p50Ms())
                .put("healthy_p50_ms_attack", r.attack().p50Ms())
                .put("healthy_max_ms_baseline", r.baseline().maxMs())
                .put("healthy_max_ms_attack", r.attack().maxMs())
                .put("measured_baseline", r.baseline().count())
                .put("measured_attack", r.attack().count())
                .put("accepted", r.accepted())
                .put("received", r.received())
                .put("duplicates", r.duplicates())
                .put("unexpected", r.unexpected())
                .put("failed", healthy.failed())
                .put("failed_codes", text(healthy.failures()))
                .put("healthy_drop_reasons", text(drops))
                .put("conn_heap_mb_baseline", before.known() ? before.heap / MB : Double.NaN, 1)
                .put("conn_heap_mb_attack", after.known() ? after.heap / MB : Double.NaN, 1)
                .put("conn_direct_growth_mb", before.directKnown() && after.directKnown() ? (after.direct - before.direct) / MB
                        : Double.NaN, 1);
        for (AttackKind k : AttackKind.values()) {
            line.put("attack_" + k.key() + "_opened", t.openedOf(k))
                    .put("attack_" + k.key() + "_refused", t.refusedOf(k));
            if (k.logsIn()) {
                line.put("attack_" + k.key() + "_logged_in", t.loggedInOf(k));
            }
            if (!k.held()) {
                line.put("attack_" + k.key() + "_skipped", t.skippedOf(k));
            }
        }
        QuotaAbuse.Outcome q = attack.quota();
        return line.put("attack_pings_sent", t.pingsSent())
                .put("attack_ack_ids_sent", t.ackIdsSent())
                .put("attackers_open_at_end", attack.openAtEnd())
                .put("attack_reasons", text(t.reasons()))
                .put("quota", o.quota)
                .put("quota_offered_per_s", (long) o.quota * QUOTA_FACTOR)
                .put("quota_accepted", q.accepted())
                .put("quota_refused", q.refused())
                .put("quota_accepted_per_s", q.acceptedPerSecond(), 1)
                .put("quota_other_failures", text(q.otherFailures()))
                .put("devices", o.devices)
                .put("rate", o.rate)
                .put("rehearsal_s", o.rehearsalS)
                .put("baseline_s", o.baselineS)
                .put("attack_s", o.attackS)
                .put("run_s", (System.currentTimeMillis() - started) / 1000);
    }

    /**
     * Waits until every accepted push reached its device, or no delivery arrived for a whole grace
     * period, or the time cap leaves only the grace period; then the figures. Progress is read on each
     * device loop, so no recorder is touched across threads.
     */
    private static HealthyTally.Report awaitDeliveries(LoadGenerator gen, long[] accepted, long spanMs,
                                                       Duration grace, Deadline deadline, long[] phaseStartsMs)
            throws Exception {
        long quietEnd = System.nanoTime() + grace.toNanos();
        long lastReceived = -1;
        while (true) {
            HealthyTally tally = new HealthyTally(spanMs);
            gen.onEachLoop(l -> tally.add((HealthyRecorder) l)).get(30, TimeUnit.SECONDS);
            long now = System.nanoTime();
            if (tally.received() > lastReceived) {
                lastReceived = tally.received();
                quietEnd = now + grace.toNanos();
            }
            boolean graceOver = now - quietEnd >= 0 || deadline.remainingNanos() <= grace.toNanos();
            if (tally.received() >= accepted.length || graceOver) {
                HealthyTally.Report r = tally.report(accepted.clone());
                if (r.lost() == 0 || graceOver) {
                    log.info("deliveries: accepted={} received={} duplicates={} lost={} unexpected={}", r.accepted(),
                            r.received(), r.duplicates(), r.lost(), r.unexpected());
                    // where the tail is: the worst latency of the pushes sent in each second of a phase
                    log.info("worst ms per second sent, phase 1: {}", Arrays.toString(
                            tally.worstPerSecond(phaseStartsMs[0], phaseStartsMs[1])));
                    log.info("worst ms per second sent, phase 2: {}", Arrays.toString(
                            tally.worstPerSecond(phaseStartsMs[1], phaseStartsMs[2])));
                    return r;
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /**
     * The conn-node's live heap: the objects {@code jcmd GC.class_histogram} counts right after the
     * full GC it runs (used heap read a moment after a GC would count what the attack allocated
     * meanwhile; jcmd also answers when the node's admin port does not, as under heap exhaustion),
     * and its Netty direct memory from /metrics; -1 for what cannot be read.
     */
    private static Heap heap(NodeProbe node, Deadline deadline) throws Exception {
        TimeUnit.NANOSECONDS.sleep(deadline.budget(BEFORE_PROBE, "before a heap probe").toNanos());
        ClassHistogram live;
        try {
            live = ClassHistogram.parse(node.jcmd("GC.class_histogram"));
        } catch (IOException | IllegalArgumentException e) {
            log.warn("conn-node heap not read: {}", e.getMessage());
            return new Heap(-1, -1, null);
        }
        try {
            return new Heap(live.totalBytes(),
                    (long) node.metrics().value("longlink_netty_direct_memory_bytes").orElse(-1), live);
        } catch (IOException e) {
            log.warn("conn-node /metrics not read: {}", e.getMessage());
            return new Heap(live.totalBytes(), -1, live);
        }
    }

    /** The classes that grew most from {@code before} to {@code after}, for the log. */
    private static String grownClasses(Heap before, Heap after) {
        if (before.live() == null || after.live() == null) {
            return "unknown";
        }
        return after.live().growthSince(before.live(), 8).stream()
                .map(g -> g.className() + "=" + g.bytes() / 1024 + "KB").toList().toString();
    }

    private record Heap(long heap, long direct, ClassHistogram live) {
        boolean known() {
            return heap >= 0;
        }

        boolean directKnown() {
            return direct >= 0;
        }
    }

    private record AttackSummary(AttackTally tally, int openAtEnd, QuotaAbuse.Outcome quota) {
    }

    static PushRequest push(String device, int phase, int ttlSeconds) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        Arrays.fill(payload, (byte) 'x');
        payload[0] = (byte) phase;
        return PushRequest.newBuilder()
                .setAudience(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(device)))
                .setPayload(ByteString.copyFrom(payload))
                .setTtlSeconds(ttlSeconds)
                .build();
    }

    private static void hold(Deadline deadline, int seconds, String during) throws Exception {
        Duration wanted = Duration.ofSeconds(seconds);
        Duration granted = deadline.budget(wanted, during);
        TimeUnit.NANOSECONDS.sleep(granted.toNanos());
        if (granted.compareTo(wanted) < 0) {
            throw deadline.expired(during);
        }
    }

    private void mark(String text) {
        log.info(text);
        timeline.add(Instant.now() + " " + text);
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", bytes / MB);
    }

    /** {@code k:v,k:v}, or none. */
    private static String text(Map<String, Long> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append(':').append(v));
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
