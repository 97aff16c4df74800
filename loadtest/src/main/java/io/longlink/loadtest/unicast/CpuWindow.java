package io.longlink.loadtest.unicast;

import io.longlink.loadtest.probe.CpuTimes;
import io.longlink.loadtest.probe.ProcessCpu;
import io.longlink.loadtest.scenario.Deadline;
import io.longlink.loadtest.scenario.Stack;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the CPU went during the measured window: each process of the stack, the device simulator
 * (this JVM) and Gatling, from /proc (utime + stime) at the window's two ends, in percent of one
 * core; plus one {@code top -b -n1} in the middle of the window, kept in a file.
 */
final class CpuWindow {
    private static final Logger log = LoggerFactory.getLogger("bench");
    /** /proc reports CPU time in USER_HZ ticks: 100 per second on Linux. */
    private static final long TICK_MS = 10;
    /** Samples start this long after the window opens and end this long before it closes. */
    private static final long MARGIN_MS = 1_000;

    private final Map<String, Double> percentByProcess;
    private final double machinePercent;
    private final double interruptPercent;
    private final double jitPercent;
    private final double stealPercent;
    private final String loadAverage;

    private CpuWindow(Map<String, Double> percentByProcess, double machinePercent, double interruptPercent,
                      double jitPercent, double stealPercent, String loadAverage) {
        this.percentByProcess = percentByProcess;
        this.machinePercent = machinePercent;
        this.interruptPercent = interruptPercent;
        this.jitPercent = jitPercent;
        this.stealPercent = stealPercent;
        this.loadAverage = loadAverage;
    }

    /**
     * Blocks until the window ended (less a margin); returns what each process used inside it. {@code redis}
     * is read at the same two instants.
     */
    static CpuWindow measure(Stack stack, long gatlingPid, long startMs, long endMs, Path topFile, Deadline deadline,
                             RedisCommandWindow redis) throws Exception {
        Map<String, Long> pids = new LinkedHashMap<>(stack.pids());
        pids.put("devices", ProcessHandle.current().pid());
        pids.put("gatling", gatlingPid);
        long from = Math.min(startMs + MARGIN_MS, endMs);
        long to = Math.max(from + 1, endMs - MARGIN_MS);
        sleepUntil(from, deadline);
        Map<String, Long> before = ProcessCpu.ticks(pids);
        long jitBefore = jitTicks(pids);
        CpuTimes.Machine machineBefore = CpuTimes.machine();
        redis.start();
        long t0 = System.nanoTime();
        sleepUntil(from + (to - from) / 2, deadline);
        top(topFile);
        sleepUntil(to, deadline);
        Map<String, Long> after = ProcessCpu.ticks(pids);
        long jitAfter = jitTicks(pids);
        CpuTimes.Machine machineAfter = CpuTimes.machine();
        redis.end();
        double elapsedMs = (System.nanoTime() - t0) / 1e6;
        Map<String, Double> pct = new LinkedHashMap<>();
        after.forEach((name, t) -> {
            Long b = before.get(name);
            if (b != null) {
                pct.put(name, (t - b) * TICK_MS * 100.0 / elapsedMs);
            }
        });
        double machine = (machineAfter.busy() - machineBefore.busy()) * TICK_MS * 100.0 / elapsedMs;
        double irq = (machineAfter.interrupts() - machineBefore.interrupts()) * TICK_MS * 100.0 / elapsedMs;
        double steal = (machineAfter.steal() - machineBefore.steal()) * TICK_MS * 100.0 / elapsedMs;
        double jit = (jitAfter - jitBefore) * TICK_MS * 100.0 / elapsedMs;
        String load = CpuTimes.loadAverage();
        log.info("cpu over the measured window (% of one core): {} machine={} irq={} jit={} steal={} loadavg={}",
                format(pct), Math.round(machine), Math.round(irq), Math.round(jit), Math.round(steal), load);
        return new CpuWindow(pct, machine, irq, jit, steal, load);
    }

    Map<String, Double> percentByProcess() {
        return percentByProcess;
    }

    double machinePercent() {
        return machinePercent;
    }

    double interruptPercent() {
        return interruptPercent;
    }

    /** CPU the hypervisor gave elsewhere while this machine wanted it: counted in machine, in no process. */
    double stealPercent() {
        return stealPercent;
    }

    /** CPU the JVMs' JIT compilers took in the window, summed: near 0 once every JVM is warm. */
    double jitPercent() {
        return jitPercent;
    }

    String loadAverage() {
        return loadAverage;
    }

    /** JIT compiler threads of every process, summed (a process that is gone counts nothing). */
    private static long jitTicks(Map<String, Long> pids) {
        long sum = 0;
        for (long pid : pids.values()) {
            try {
                sum += CpuTimes.jitTicks(pid);
            } catch (IOException | RuntimeException e) {
                // gone, or not readable: nothing to add
            }
        }
        return sum;
    }

    private static void sleepUntil(long epochMs, Deadline deadline) throws Exception {
        long wait = epochMs - System.currentTimeMillis();
        if (wait > 0) {
            TimeUnit.MILLISECONDS.sleep(deadline.budget(Duration.ofMillis(wait), "during the measured window")
                    .toMillis());
        }
    }

    /** Best effort: the figures come from /proc; top's view is kept for the record. */
    private static void top(Path file) {
        try {
            Process p = new ProcessBuilder(List.of("top", "-b", "-n1", "-w", "200")).redirectErrorStream(true)
                    .redirectOutput(file.toFile()).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            log.warn("top -b -n1 failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String format(Map<String, Double> pct) {
        StringBuilder sb = new StringBuilder();
        pct.forEach((k, v) -> sb.append(k).append('=').append(Math.round(v)).append(' '));
        return sb.toString().strip();
    }
}
