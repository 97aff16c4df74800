package io.longlink.loadtest.broadcast;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.report.ResultLine;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The figures of a run from what the API accepted in each step and what the devices received: per
 * step, copies delivered per second (over the step, or until its last copy arrived if later), latency
 * of first copies, lost and repeated copies; overall, the highest step that kept p99 under
 * {@value #SUSTAINED_P99_MS} ms and lost nothing.
 */
final class BroadcastReport {
    static final long SUSTAINED_P99_MS = 1_000;
    static final double TARGET_DELIVERIES_PER_S = 300_000;

    /** One step as it ran: its calls and each process's CPU over it. */
    record StepRun(FanOutCalls.Step calls, Map<String, Double> cpuPercent) {
        StepRun {
            requireNonNull(calls, "calls");
            cpuPercent = Map.copyOf(cpuPercent);
        }
    }

    /** One step's figures. */
    record StepFigures(int step, int offeredPerS, long offered, long accepted, long delivered, long lost,
                       long duplicates, double deliveriesPerS, long p50Ms, long p99Ms, long maxMs,
                       Map<String, Double> cpuPercent) {
        /** Offered pushes the API did not accept (refused, or not sent for the in-flight limit). */
        long refused() {
            return offered - accepted;
        }

        boolean sustained() {
            return accepted > 0 && lost == 0 && p99Ms >= 0 && p99Ms < SUSTAINED_P99_MS;
        }

        double connCpu() {
            return cpuPercent.entrySet().stream().filter(e -> e.getKey().startsWith("conn"))
                    .mapToDouble(Map.Entry::getValue).sum();
        }
    }

    private BroadcastReport() {
    }

    static StepFigures figures(int step, StepRun run, CopyTally tally, int devices, int stepS) {
        long accepted = 0;
        long delivered = 0;
        long duplicates = 0;
        for (long id : run.calls().acceptedIds()) {
            CopyTally.Message m = tally.message(id);
            accepted++;
            delivered += Math.min(devices, m.devices());
            duplicates += m.again();
        }
        long spanMs = Math.max(stepS * 1_000L, tally.lastMs(step) - run.calls().startMs());
        Histogram h = tally.latencyMs(step);
        boolean none = h.getTotalCount() == 0;
        return new StepFigures(step, run.calls().ratePerS(), (long) run.calls().ratePerS() * stepS, accepted,
                delivered, accepted * devices - delivered, duplicates, delivered * 1_000.0 / spanMs,
                none ? -1 : h.getValueAtPercentile(50), none ? -1 : h.getValueAtPercentile(99),
                none ? -1 : h.getMaxValue(), run.cpuPercent());
    }

    /** The RESULT line: the headline keys first, then every step's, then the run's. */
    static ResultLine result(BroadcastCommand o, List<Long> warmupIds, List<StepRun> runs, CopyTally tally,
                             FanOutCalls calls, long drops, String loadAvg) {
        List<StepFigures> steps = new java.util.ArrayList<>();
        for (int k = 1; k <= runs.size(); k++) {
            steps.add(figures(k, runs.get(k - 1), tally, o.devices, o.stepS));
        }
        StepFigures best = null;
        for (StepFigures s : steps) {
            if (s.sustained()) {
                best = s;
            }
        }
        StepFigures shown = best != null ? best : steps.getLast();
        Set<Long> acceptedIds = new HashSet<>(warmupIds);
        runs.forEach(r -> acceptedIds.addAll(r.calls().acceptedIds()));
        long delivered = 0;
        long duplicates = 0;
        long unexpected = 0;
        for (Map.Entry<Long, CopyTally.Message> e : tally.messages().entrySet()) {
            duplicates += e.getValue().again();
            if (acceptedIds.contains(e.getKey())) {
                delivered += Math.min(o.devices, e.getValue().devices());
            } else {
                unexpected += e.getValue().devices();
            }
        }
        long expected = (long) acceptedIds.size() * o.devices;
        long lost = expected - delivered;
        double maxRate = steps.stream().mapToDouble(StepFigures::deliveriesPerS).max().orElse(0);
        // Past capacity: the latest copy of any step in which the API refused (or did not send) a push.
        long pastCapacityMaxMs = steps.stream().filter(s -> s.refused() > 0)
                .mapToLong(StepFigures::maxMs).max().orElse(-1);
        ResultLine line = new ResultLine()
                .put("scenario", BroadcastCommand.NAME)
                .put("status", "ok")
                .put("kind", o.kind.optionValue())
                .put("deliveries_per_s", best == null ? 0 : best.deliveriesPerS(), 0)
                .put("p50_ms", shown.p50Ms())
                .put("p99_ms", shown.p99Ms())
                .put("lost", lost)
                .put("duplicates", duplicates)
                .put("sustained_step", best == null ? 0 : best.step())
                .put("max_deliveries_per_s", maxRate, 0)
                .put("past_capacity_max_ms", pastCapacityMaxMs)
                .put("devices", o.devices)
                .put("conn_nodes", o.connNodes)
                .put("accepted", acceptedIds.size())
                .put("expected", expected)
                .put("delivered", delivered)
                .put("unexpected_copies", unexpected)
                .put("unmarked_copies", tally.unmarked())
                .put("refused", calls.refused.snapshot().values().stream().mapToLong(Long::longValue).sum())
                .put("skipped_in_flight", calls.skipped.sum())
                .put("drops", drops);
        calls.refused.snapshot().forEach((code, n) -> line.put("refused_" + code, n));
        shown.cpuPercent().forEach((name, pct) -> line.put("cpu_pct_" + name.replace('-', '_'), pct, 0));
        for (StepFigures s : steps) {
            String p = "step" + s.step() + "_";
            line.put(p + "offered_per_s", s.offeredPerS())
                    .put(p + "accepted", s.accepted())
                    .put(p + "deliveries_per_s", s.deliveriesPerS(), 0)
                    .put(p + "p50_ms", s.p50Ms())
                    .put(p + "p99_ms", s.p99Ms())
                    .put(p + "max_ms", s.maxMs())
                    .put(p + "refused", s.refused())
                    .put(p + "lost", s.lost())
                    .put(p + "duplicates", s.duplicates())
                    .put(p + "cpu_pct_conn", s.connCpu(), 0);
        }
        return line.put("rates", o.rates.toString())
                .put("step_s", o.stepS)
                .put("warmup_s", o.warmupS)
                .put("ttl_s", o.ttlS)
                .put("routers", o.routers)
                .put("loadavg_1m", loadAvg)
                .put("target_deliveries_ok", best != null && best.deliveriesPerS() >= TARGET_DELIVERIES_PER_S)
                .put("target_lost_ok", lost == 0)
                .put("target_duplicates_ok", duplicates == 0);
    }
}
