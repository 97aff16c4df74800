package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from /proc, in clock ticks: a process's user + system time (all its threads) from
 * {@code /proc/PID/stat}, and the machine's busy time from {@code /proc/stat}. Read before and
 * after a phase, they say which process the phase's CPU went to, and how much went to work
 * outside the benchmark.
 */
public final class CpuTimes {
    private CpuTimes() {
    }

    /** The 1-minute load average, or "unknown": other work on the machine skews every figure. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    public static long processTicks(long pid) throws IOException {
        return processTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** utime + stime of a {@code /proc/PID/stat} line; the command name may hold spaces and parentheses. */
    public static long processTicks(String stat) {
        requireNonNull(stat, "stat");
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("stat: no ')' after the command name in '" + stat.strip() + "'");
        }
        String[] f = stat.substring(close + 1).strip().split("\\s+");
        // f[0] is field 3 (state); utime and stime are fields 14 and 15.
        if (f.length < 13) {
            throw new IllegalArgumentException("stat: " + f.length + " fields after the name (expected: >= 13)");
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * CPU ticks of a JVM's JIT compiler threads (named {@code C1 CompilerThreadN} / {@code C2
     * CompilerThreadN}): while they are busy the JVM is still warming up, and the CPU they take is
     * not the workload's. 0 for a process without such threads (Redis).
     */
    public static long jitTicks(long pid) throws IOException {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                if (isJitThread(stat)) {
                    sum += processTicks(stat);
                }
            }
        }
        return sum;
    }

    /** True when a {@code /proc/PID/task/TID/stat} line names a JIT compiler thread. */
    public static boolean isJitThread(String stat) {
        int open = stat.indexOf('(');
        return open >= 0 && (stat.startsWith("C1 CompilerThre", open + 1) || stat.startsWith("C2 CompilerThre", open + 1));
    }

    /**
     * The machine's busy ticks and, among them, interrupt ticks (loopback TCP is mostly softirq) and
     * steal ticks (a virtual machine's CPU time its host gave to someone else).
     */
    public record Machine(long busy, long interrupts, long steal) {
    }

    public static Machine machine() throws IOException {
        return machine(Files.readString(Path.of("/proc/stat")));
    }

    /**
     * From the {@code cpu} line of /proc/stat (user nice system idle iowait irq softirq steal ...):
     * busy = all but idle and iowait; interrupts = irq + softirq, which no process is charged for;
     * steal = time the hypervisor ran something else while this machine wanted to run.
     */
    public static Machine machine(String procStat) {
        requireNonNull(procStat, "procStat");
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.substring(4).strip().split("\\s+");
                if (f.length < 8) {
                    throw new IllegalArgumentException("/proc/stat: cpu line has " + f.length + " fields (expected: >= 8)");
                }
                long busy = 0;
                for (int i = 0; i < 8; i++) {
                    if (i != 3 && i != 4) {
                        busy += Long.parseLong(f[i]);
                    }
                }
                return new Machine(busy, Long.parseLong(f[5]) + Long.parseLong(f[6]), Long.parseLong(f[7]));
            }
        }
        throw new IllegalArgumentException("/proc/stat: no 'cpu ' line");
    }
}
