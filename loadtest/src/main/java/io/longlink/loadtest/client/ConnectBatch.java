package io.longlink.loadtest.client;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One set of device connections opened together (a warm-up round, the measured phase). Each
 * connection ends its connect exactly once, as connected (CONNACK OK) or failed with a reason;
 * {@link #done} completes when all have.
 */
public final class ConnectBatch {
    private final byte[][] connectFrames;
    private final Channel[] channels;
    private final long[] latencyNanos;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final CompletableFuture<ConnectBatch> done = new CompletableFuture<>();
    private final long startNanos;
    private volatile long lastConnectedNanos;

    ConnectBatch(byte[][] connectFrames, long startNanos) {
        this.connectFrames = requireNonNull(connectFrames, "connectFrames");
        this.channels = new Channel[connectFrames.length];
        this.latencyNanos = new long[connectFrames.length];
        this.startNanos = startNanos;
        if (connectFrames.length == 0) {
            done.complete(this);
        }
    }

    /** The next device index to connect, or -1 when all were started. */
    int claim() {
        int i = next.getAndIncrement();
        return i < connectFrames.length ? i : -1;
    }

    byte[] connectFrame(int index) {
        return connectFrames[index];
    }

    void onConnected(DeviceSession s, long nowNanos) {
        channels[s.index] = s.channel;
        latencyNanos[s.index] = nowNanos - s.startNanos;
        lastConnectedNanos = nowNanos;
        connected.incrementAndGet();
        finishOne();
    }

    void onFailed(String reason) {
        failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
        failed.incrementAndGet();
        finishOne();
    }

    private void finishOne() {
        if (connected.get() + failed.get() == connectFrames.length) {
            done.complete(this);
        }
    }

    public CompletableFuture<ConnectBatch> done() {
        return done;
    }

    public int size() {
        return connectFrames.length;
    }

    public int connected() {
        return connected.get();
    }

    public int failed() {
        return failed.get();
    }

    /** Failure reason -> count, sorted by reason. */
    public Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** CONNACK OKs per second from the first connect to the last CONNACK. */
    public double connectsPerSecond() {
        long elapsed = lastConnectedNanos - startNanos;
        return connected.get() == 0 || elapsed <= 0 ? 0 : connected.get() * 1e9 / elapsed;
    }

    public double elapsedSeconds() {
        return Math.max(0, lastConnectedNanos - startNanos) / 1e9;
    }

    /** Connect-to-CONNACK latency at quantile {@code q} (0..1) over the connected devices, in microseconds. */
    public long latencyMicros(double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("q: " + q + " (expected: 0..1)");
        }
        long[] ok = new long[connected.get()];
        int n = 0;
        for (int i = 0; i < channels.length && n < ok.length; i++) {
            if (channels[i] != null) {
                ok[n++] = latencyNanos[i];
            }
        }
        if (n == 0) {
            return 0;
        }
        Arrays.sort(ok, 0, n);
        int rank = (int) Math.ceil(q * n) - 1;
        return ok[Math.max(0, Math.min(n - 1, rank))] / 1_000;
    }

    Channel[] channels() {
        return channels;
    }
}
