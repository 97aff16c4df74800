package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU of named processes over a window: their {@link CpuTimes#processTicks} read at both ends, as
 * percent of one core. A process that is gone or unreadable at either end has no share.
 */
public final class ProcessCpu {
    /** /proc reports CPU time in USER_HZ ticks: 100 per second on Linux. */
    private static final long TICK_MS = 10;

    private ProcessCpu() {
    }

    /** Each process's utime + stime now, by name; the unreadable ones left out. */
    public static Map<String, Long> ticks(Map<String, Long> pids) {
        requireNonNull(pids, "pids");
        Map<String, Long> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            try {
                out.put(name, CpuTimes.processTicks(pid));
            } catch (IOException | RuntimeException e) {
                // gone, or not readable: no share to report
            }
        });
        return out;
    }

    /** Percent of one core each process used between {@code before} and {@code after}, {@code elapsedMs} apart. */
    public static Map<String, Double> percent(Map<String, Long> before, Map<String, Long> after, long elapsedMs) {
        requireNonNull(before, "before");
        requireNonNull(after, "after");
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((name, t) -> {
            Long b = before.get(name);
            if (b != null) {
                out.put(name, (t - b) * TICK_MS * 100.0 / Math.max(1, elapsedMs));
            }
        });
        return out;
    }
}
