package io.longlink.loadtest.broadcast;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisFuture;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.loadtest.client.ConnectBatch;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.probe.CpuTimes;
import io.longlink.loadtest.probe.NodeProbe;
import io.longlink.loadtest.probe.ProcessCpu;
import io.longlink.loadtest.probe.RouteCount;
import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.AppAdmin;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.proto.api.CreateAppResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcast or tag pushes at rising rates: this JVM holds the devices (the load generator's client,
 * batched ACKs like the SDK) and calls PushService.Push at each step's rate; every device records
 * each message it gets ({@link CopyRecorder}). After the last step, copies may still arrive until a
 * grace period passes without one; then each accepted message must have reached every device once.
 */
final class BroadcastScenario {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(60);
    private static final int HOT_METHODS = 20;
    private static final int HOT_NATIVE = 5;

    private final BroadcastCommand o;

    BroadcastScenario(BroadcastCommand options) {
        this.o = requireNonNull(options, "options");
    }

    ResultLine run(Stack stack) throws Exception {
        requireNonNull(stack, "stack");
        Deadline deadline = Deadline.insideTimeCap(o.timeCapS, 30);
        stack.requireApi(BroadcastCommand.NAME);
        Path logs = Path.of(System.getProperty("longlink.bench.out", "target/bench"));
        Files.createDirectories(logs);
        CreateAppResponse app = AppAdmin.create(stack, "bench broadcast", AppAdmin.MAX_PUSHES_PER_S,
                Math.max(10, 2 * o.rates.highest()));
        log.info("app {}; {} devices over {} conn-nodes, kind {}, rates {}/s, {} s a step", app.getAppKey(), o.devices,
                stack.devices().size(), o.kind.optionValue(), o.rates, o.stepS);
        GeneratorSettings gs = GeneratorSettings.forDevices(stack.devices(), o.sourceIps, o.ioThreads, 512,
                CONNECT_DEADLINE);
        int steps = o.rates.steps();
        try (RedisStore redis = RedisStore.open(stack.redisUri(), false, 5_000);
             LoadGenerator gen = new LoadGenerator(gs, () -> new CopyRecorder(steps, System::currentTimeMillis));
             FanOutCalls calls = new FanOutCalls(stack.api(), app.getAppKey(), app.getSecret(), o.kind, o.ttlS,
                     o.maxInFlight)) {
            if (o.kind == FanOutKind.TAG) {
                tagEveryDevice(redis, app.getAppKey());
            }
            ConnectBatch batch = connect(gen, app, redis, deadline);

            Map<String, Long> pids = new LinkedHashMap<>(stack.pids());
            pids.put("generator", ProcessHandle.current().pid());
            List<Long> warmupIds = List.of();
            if (o.warmupS > 0) {
                log.info("warm-up: {} pushes/s for {} s", o.rates.rate(1), o.warmupS);
                warmupIds = calls.run(0, o.rates.rate(1), o.warmupS).acceptedIds();
            }
            List<BroadcastReport.StepRun> runs = new ArrayList<>();
            Path jfr = logs.resolve("broadcast-conn-1.jfr");
            for (int k = 1; k <= steps; k++) {
                deadline.budget(Duration.ofSeconds(o.stepS), "before step " + k);
                ConnProfile profile = o.profile && k == steps
                        ? ConnProfile.start(new NodeProbe(stack.connPid(), stack.admin()), jfr) : null;
                Map<String, Long> before = ProcessCpu.ticks(pids);
                long t0 = System.currentTimeMillis();
                FanOutCalls.Step step = calls.run(k, o.rates.rate(k), o.stepS);
                Map<String, Double> cpu = ProcessCpu.percent(before, ProcessCpu.ticks(pids),
                        System.currentTimeMillis() - t0);
                if (profile != null) {
                    profile.stop();
                }
                runs.add(new BroadcastReport.StepRun(step, cpu));
                log.info("step {}: {} pushes/s offered, {} accepted so far, refused {}, skipped {}, cpu % {}", k,
                        step.ratePerS(), step.accepted().size(), calls.refused.snapshot(), calls.skipped.sum(),
                        rounded(cpu));
            }
            String loadAvg = CpuTimes.loadAverage();
            if (!calls.awaitAnswers(30)) {
                log.warn("Push calls still unanswered 30 s after the last step");
            }
            long accepted = warmupIds.size() + runs.stream().mapToLong(r -> r.calls().accepted().size()).sum();
            CopyTally tally = awaitCopies(gen, accepted * o.devices, deadline);
            if (o.profile) {
                logHottest(jfr);
            }
            long drops = gen.drops().values().stream().mapToLong(Long::longValue).sum();
            ResultLine line = BroadcastReport.result(o, warmupIds, runs, tally, calls, drops, loadAvg);
            gen.disconnect(batch).get(30, TimeUnit.SECONDS);
            return line;
        }
    }

    /** Every device carries {@link FanOutKind#TAG_NAME} before it connects: the node loads its tags at CONNECT. */
    private void tagEveryDevice(RedisStore redis, String appKey) throws Exception {
        byte[] tag = FanOutKind.TAG_NAME.getBytes(StandardCharsets.UTF_8);
        List<RedisFuture<Long>> adds = new ArrayList<>(o.devices);
        for (int i = 0; i < o.devices; i++) {
            adds.add(redis.async().sadd(RedisKeys.tags(appKey, deviceId(i)), tag));
        }
        for (RedisFuture<Long> f : adds) {
            f.get(30, TimeUnit.SECONDS);
        }
        log.info("tag {} written for {} devices", FanOutKind.TAG_NAME, o.devices);
    }

    private static String deviceId(int i) {
        return "b-" + i;
    }

    private ConnectBatch connect(LoadGenerator gen, CreateAppResponse app, RedisStore redis, Deadline deadline)
            throws Exception {
        ConnectBatch batch = gen.open(ConnectFrames.forDevices(app.getAppKey(), app.getSecret(), "b", o.devices, 300,
                System.currentTimeMillis() / 1000 + 86_400));
        batch.done().get(deadline.budget(CONNECT_DEADLINE.multipliedBy(3), "connecting devices").toMillis(),
                TimeUnit.MILLISECONDS);
        log.info("devices connected={} failed={} failures={} in {} s", batch.connected(), batch.failed(),
                batch.failures(), String.format("%.1f", batch.elapsedSeconds()));
        if (batch.connected() != o.devices) {
            throw new IllegalStateException(batch.failed() + " of " + o.devices + " devices could not connect: "
                    + batch.failures());
        }
        long routes = RouteCount.of(redis.async(), app.getAppKey());
        if (routes != o.devices) {
            throw new IllegalStateException(routes + " routes in Redis for " + o.devices + " connected devices");
        }
        return batch;
    }

    /**
     * Reads the devices' figures until every expected copy arrived, or none came for {@code --grace-s},
     * or {@code --drain-max-s} passed, or the time cap nears.
     */
    private CopyTally awaitCopies(LoadGenerator gen, long expected, Deadline deadline) throws Exception {
        int steps = o.rates.steps();
        long quietEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.graceS);
        long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.drainMaxS);
        long last = -1;
        while (true) {
            CopyTally t = CopyTally.of(gen, steps);
            long got = t.messages().values().stream().mapToLong(m -> Math.min(o.devices, m.devices())).sum();
            long now = System.nanoTime();
            if (got > last) {
                last = got;
                quietEnd = now + TimeUnit.SECONDS.toNanos(o.graceS);
            }
            boolean timeUp = deadline.remainingNanos() < TimeUnit.SECONDS.toNanos(45) || now - drainEnd >= 0;
            if (got >= expected || now - quietEnd >= 0 || timeUp) {
                log.info("copies received {} of {} expected{}", got, expected, got >= expected ? ""
                        : timeUp ? " (time cap near, or --drain-max-s over)" : " (none new for " + o.graceS + " s)");
                return t;
            }
            TimeUnit.SECONDS.sleep(1);
        }
    }

    private static void logHottest(Path jfr) throws Exception {
        StringBuilder sb = new StringBuilder("conn-1 in the highest step (").append(jfr)
                .append("): hottest methods by top frame of ").append(ConnProfile.JAVA_SAMPLE);
        for (ConnProfile.Hot h : ConnProfile.hottest(jfr, ConnProfile.JAVA_SAMPLE, HOT_METHODS)) {
            sb.append("\n  ").append(h.format());
        }
        sb.append("\nand of ").append(ConnProfile.NATIVE_SAMPLE).append(" (threads in native code, idle waits too)");
        for (ConnProfile.Hot h : ConnProfile.hottest(jfr, ConnProfile.NATIVE_SAMPLE, HOT_NATIVE)) {
            sb.append("\n  ").append(h.format());
        }
        log.info(sb.toString());
    }

    private static Map<String, Long> rounded(Map<String, Double> pct) {
        Map<String, Long> out = new LinkedHashMap<>();
        pct.forEach((k, v) -> out.put(k, Math.round(v)));
        return out;
    }
}
