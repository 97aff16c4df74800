package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Looks at one node process from outside, the way an operator would: {@code jcmd} (JDK of this
 * JVM, so it can attach to a JDK 25 node), {@code /proc/PID/status} and the admin port's /metrics.
 */
public final class NodeProbe {
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);

    private final long pid;
    private final URI admin;
    private final Path jcmd;
    private final HttpClient http;

    public NodeProbe(long pid, URI admin) {
        this.pid = pid;
        this.admin = requireNonNull(admin, "admin");
        this.jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * What a measurement point reads; all sizes in bytes.
     *
     * @param heapUsed        used heap after a full GC, from GC.heap_info
     * @param heapUsedMetrics the same read from /metrics right after (the scrape itself allocates a little)
     * @param rss             the process's resident memory (VmRSS)
     * @param heapRss         of it, the pages of the Java heap's address range (from smaps): they depend
     *                        on which heap pages the collector has touched so far, not on live data
     * @param histogram       live objects per class, after the full GC the histogram runs itself
     */
    public record Snapshot(long heapUsed, long heapUsedMetrics, long rss, long heapRss, long direct, long gcCount,
                           ClassHistogram histogram) {
        /** Resident memory outside the Java heap: thread stacks, malloc, Netty's direct buffers, code. */
        public long nativeRss() {
            return rss - heapRss;
        }
    }

    /**
     * Full GC, then used heap and live objects per class, then RSS after handing freed malloc
     * memory back (and the part of it in the heap's range), then Netty's direct memory.
     */
    public Snapshot measure() throws IOException, InterruptedException {
        jcmd("GC.run");
        String heapInfo = jcmd("GC.heap_info");
        long heap = HeapInfo.usedBytes(heapInfo);
        HeapInfo.Range heapRange = HeapInfo.range(heapInfo);
        long heapMetrics = (long) metrics().value("jvm_memory_bytes_used", "area", "heap").orElse(-1);
        ClassHistogram histogram = ClassHistogram.parse(jcmd("GC.class_histogram"));
        trimNativeHeap();
        long rss = rssBytes();
        long heapRss = Smaps.residentWithin(Files.readString(Path.of("/proc", Long.toString(pid), "smaps")),
                heapRange.start(), heapRange.end());
        PrometheusText m = metrics();
        long direct = (long) m.value("longlink_netty_direct_memory_bytes").orElseThrow(() -> new IOException(
                admin + "/metrics has no longlink_netty_direct_memory_bytes"));
        return new Snapshot(heap, heapMetrics, rss, heapRss, direct, gcCount(m), histogram);
    }

    public static long gcCount(PrometheusText m) {
        return (long) m.sum("jvm_gc_collection_seconds_count").orElse(0);
    }

    public long rssBytes() throws IOException {
        return ProcStatus.kbField(Files.readString(Path.of("/proc", Long.toString(pid), "status")), "VmRSS");
    }

    /** glibc keeps freed malloc arenas; trimming makes RSS reflect what is in use. Best effort. */
    public void trimNativeHeap() throws InterruptedException {
        try {
            jcmd("System.trim_native_heap");
        } catch (IOException e) {
            // Older JDKs or non-glibc builds lack it; RSS is then read untrimmed on both sides.
        }
    }

    public PrometheusText metrics() throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(admin.resolve("/metrics")).timeout(Duration.ofSeconds(10)).GET()
                .build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IOException(req.uri() + ": HTTP " + resp.statusCode());
        }
        return PrometheusText.parse(resp.body());
    }

    /** The JVM options the node was started with ({@code -X...} and {@code -XX:...}), from its command line. */
    public List<String> jvmFlags() throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        List<String> flags = new ArrayList<>();
        for (String arg : new String(raw, StandardCharsets.UTF_8).split("\0")) {
            if (arg.startsWith("-X")) {
                flags.add(arg);
            }
        }
        return flags;
    }

    /** True when the running JVM has the boolean flag on ({@code jcmd VM.flags -all}). */
    public boolean flagOn(String flag) throws IOException, InterruptedException {
        for (String line : jcmd("VM.flags", "-all").split("\n")) {
            String[] parts = line.strip().split("\\s+");
            // "bool UseCompactObjectHeaders = true {product} {command line}"
            if (parts.length >= 4 && parts[1].equals(flag) && parts[2].equals("=")) {
                return parts[3].equals("true");
            }
        }
        throw new IOException("jcmd " + pid + " VM.flags -all: no flag " + flag);
    }

    /**
     * Runs {@code jcmd PID command...} and returns what it printed. The output goes to a file, not
     * a pipe: jcmd streams while the target runs the command at a safepoint, so a target that
     * reads its own jcmd's pipe (a test measuring its own JVM) would stop its reader and deadlock.
     */
    public String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(jcmd.toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        Path out = Files.createTempFile("longlink-jcmd-", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(JCMD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer within " + JCMD_TIMEOUT.toSeconds()
                        + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
