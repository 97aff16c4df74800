package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos benchmark: a steady load of every push kind to SDK devices while the faults of the
 * schedule hit the stack one after the other, each once the previous one has recovered; then the
 * load stops and the devices stay until every accepted push was shown to every device it targeted,
 * or the grace period passes. Files under {@code <logs>/chaos/}: the schedule (seed included, so a
 * failing run replays with {@code --seed}), the per-second delivery health, and the lost copies.
 */
final class ChaosScenario {
    private static final Logger log = LoggerFactory.getLogger("bench");
    /** Time kept back for the end of the run (stopping the load, the grace period, the tally). */
    private static final long RESERVE_S = 240;
    private static final long ABANDON_AFTER_MS = 60_000;
    private static final long QUIET_MS = 30_000;

    private final ChaosCommand o;

    ChaosScenario(ChaosCommand options) {
        this.o = requireNonNull(options, "options");
    }

    ResultLine run(Stack stack) throws Exception {
        Deadline deadline = Deadline.insideTimeCap(o.timeCapS, 60);
        if (stack.apis().isEmpty() || stack.adminToken().isEmpty()) {
            throw new IllegalStateException("the stack has no api-node (" + Stack.APIS + "): run through ops/bench chaos");
        }
        String script = System.getProperty("longlink.bench.node-control", "").strip();
        if (script.isEmpty()) {
            throw new IllegalStateException("longlink.bench.node-control not set: run through ops/bench chaos");
        }
        Path out = Path.of(System.getProperty("longlink.bench.out", "target/bench"), "chaos");
        Files.createDirectories(out);
        long seed = o.seed != 0 ? o.seed : 1 + new SecureRandom().nextInt(Integer.MAX_VALUE - 1);
        List<FaultStep> schedule = FaultStep.schedule(Fault.parse(o.faults), seed, ChaosCommand.CONN_NODES,
                ChaosCommand.ROUTERS, ChaosCommand.APIS);
        String scheduleText = "seed=" + seed + " (replay: ops/bench chaos --seed " + seed + " --faults " + o.faults
                + ")\n" + String.join("\n", schedule.stream().map(FaultStep::toString).toList()) + "\n";
        Files.writeString(out.resolve("schedule.txt"), scheduleText, StandardCharsets.UTF_8);
        log.info("chaos seed={} schedule: {}", seed, schedule);

        NodeControl nodes = new NodeControl(Path.of(script), Map.of(), out.resolve("node-control.log"));
        FaultRunner faults = new FaultRunner(nodes, o.durations(), System::currentTimeMillis);
        ChaosRun.Settings settings = new ChaosRun.Settings(o.devices, o.tags, o.aliases, o.aliasSize, o.rates(),
                o.connectRate, o.timelyMs, seed, o.timeCapS + 600);
        long started = System.currentTimeMillis();
        try (ChaosRun run = ChaosRun.start(settings, stack.apis(), stack.adminToken(), System::currentTimeMillis,
                deadline.budget(Duration.ofMinutes(5), "setting up the devices"))) {
            List<ChaosTally.Phase> phases = new ArrayList<>();
            phases.add(new ChaosTally.Phase("steady", run.loadStartMs()));
            long healthyAt = run.awaitRecovery(run.loadStartMs(),
                    run.loadStartMs() + TimeUnit.SECONDS.toMillis(Math.max(o.warmupS, 60)));
            log.info("warm-up: deliveries healthy {}", healthyAt < 0 ? "never" : (healthyAt - run.loadStartMs()) + " ms after the load began");
            holdUntil(run.loadStartMs() + TimeUnit.SECONDS.toMillis(o.warmupS));

            Map<FaultStep, FaultRunner.Times> times = new LinkedHashMap<>();
            Map<FaultStep, Long> recovery = new LinkedHashMap<>();
            int skipped = 0;
            String faultError = "none";
            for (FaultStep step : schedule) {
                if (deadline.remainingNanos() < TimeUnit.SECONDS.toNanos(RESERVE_S + o.graceS + o.maxRecoveryS)) {
                    log.warn("time cap near: fault {} and the rest skipped", step);
                    skipped++;
                    continue;
                }
                FaultRunner.Times t;
                try {
                    t = faults.run(step);
                } catch (IOException e) {
                    // a process that cannot be brought back ends the schedule; what was accepted is still counted
                    log.error("fault {} could not be run or repaired: {}", step, e.getMessage());
                    faultError = step.fault().key() + ":" + e.getMessage();
                    skipped = schedule.size() - times.size();
                    break;
                }
                phases.add(new ChaosTally.Phase(step.fault().key(), t.injectedMs()));
                long recoveredAt = run.awaitRecovery(t.injectedMs(),
                        t.repairedMs() + TimeUnit.SECONDS.toMillis(o.maxRecoveryS));
                times.put(step, t);
                recovery.put(step, recoveredAt < 0 ? -1 : Math.max(0, recoveredAt - t.outageEndMs()));
                log.info("fault {}: {}; timely/offered copies per second from injection: {}", step,
                        recoveredAt < 0 ? "not recovered within " + o.maxRecoveryS + " s of the repair"
                                : "recovered " + (recoveredAt - t.injectedMs()) + " ms after injection"
                                + (t.outageMs() > 0 ? ", " + (recoveredAt - t.outageEndMs()) + " ms after the outage ended" : ""),
                        run.windows().describe(t.injectedMs(), System.currentTimeMillis()));
                holdUntil(System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(o.settleS));
            }
            holdUntil(System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(o.tailS));
            long loadEnd = System.currentTimeMillis();
            log.info("stopping the load");
            run.stopLoad(ABANDON_AFTER_MS);
            long stopped = System.currentTimeMillis();
            long graceEnd = stopped + Math.min(TimeUnit.SECONDS.toMillis(o.graceS),
                    TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos()) - 60_000);
            boolean all = run.awaitDelivered(0, Long.MAX_VALUE, QUIET_MS, graceEnd);
            log.info("after the load: {} in {} ms", all ? "every accepted push shown" : "grace period over",
                    System.currentTimeMillis() - stopped);

            ChaosTally.Report report = run.tally(phases, 0, Long.MAX_VALUE);
            Files.writeString(out.resolve("windows.txt"), "timely/offered copies per second from the load's start\n"
                    + run.windows().describe(run.loadStartMs(), stopped) + "\n", StandardCharsets.UTF_8);
            Path samples = out.resolve("lost-sample.tsv");
            LostSamples.write(samples, report.samples(), run.fleet().logs(), stack.redisUri(), run.appKey());
            log.info("lost copies (first {}): {}", ChaosTally.MAX_SAMPLES, samples);
            LostSamples.writeReorders(out.resolve("order-sample.tsv"), report.reorders());
            return result(seed, report, times, recovery, skipped, run, started, loadEnd, all)
                    .put("fault_error", faultError.length() > 200 ? faultError.substring(0, 200) : faultError);
        }
    }

    private ResultLine result(long seed, ChaosTally.Report r, Map<FaultStep, FaultRunner.Times> times,
                              Map<FaultStep, Long> recovery, int skipped, ChaosRun run, long started, long loadEnd,
                              boolean allShown) {
        ChaosTally.Counts t = r.total();
        long maxRecovery = -1;
        boolean anyUnrecovered = false;
        for (long ms : recovery.values()) {
            anyUnrecovered |= ms < 0;
            maxRecovery = Math.max(maxRecovery, ms);
        }
        ResultLine line = new ResultLine()
                .put("scenario", ChaosCommand.NAME)
                .put("status", "ok")
                .put("accepted", t.accepted)
                .put("lost", t.lost)
                .put("lost_copies", t.lostCopies)
                .put("lost_ttl0", t.lostTtl0)
                .put("duplicates_shown", t.duplicates)
                .put("order_violations", t.orderViolations)
                .put("faults", times.size())
                .put("max_recovery_s", anyUnrecovered ? "none" : String.format(java.util.Locale.ROOT, "%.1f",
                        maxRecovery / 1000.0));
        for (Map.Entry<FaultStep, Long> e : recovery.entrySet()) {
            line.put("recovery_s_" + e.getKey().fault().key(), e.getValue() < 0 ? "none"
                    : String.format(java.util.Locale.ROOT, "%.1f", e.getValue() / 1000.0));
        }
        line.put("lost_kinds", t.lostKindsText());
        r.byPhase().forEach((phase, c) -> {
            line.put("lost_" + phase, c.lost);
            if (c.lost > 0) {
                line.put("lost_kinds_" + phase, c.lostKindsText());
            }
            line.put("dup_" + phase, c.duplicates);
            line.put("order_" + phase, c.orderViolations);
        });
        times.forEach((step, ft) -> {
            line.put("target_" + step.fault().key(), step.target());
            if (ft.outageMs() > 0) {
                line.put("outage_s_" + step.fault().key(), String.format(java.util.Locale.ROOT, "%.1f",
                        ft.outageMs() / 1000.0));
            }
            if (ft.failedStarts() > 0) {
                line.put("refused_starts_" + step.fault().key(), ft.failedStarts());
            }
        });
        line.put("faults_skipped", skipped)
                .put("all_shown", allShown)
                .put("unexpected_shown", r.unexpected())
                .put("abandoned", run.load().abandoned())
                .put("devices", o.devices)
                .put("device_connects", run.fleet().connects())
                .put("kicks", run.fleet().kicks())
                .put("load_s", (loadEnd - run.loadStartMs()) / 1000)
                .put("run_s", (System.currentTimeMillis() - started) / 1000)
                .put("seed", seed);
        run.load().failures().forEach((code, n) -> line.put("call_failures_" + code, n));
        return line;
    }

    private static void holdUntil(long epochMs) throws InterruptedException {
        long wait = epochMs - System.currentTimeMillis();
        if (wait > 0) {
            TimeUnit.MILLISECONDS.sleep(wait);
        }
    }
}
