package io.longlink.loadtest.client;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.AtomicHistogram;

/**
 * One set of device connections opened together (a warm-up round, the measured phase). Each
 * connection ends its connect exactly once, as connected (CONNACK OK) or failed with a reason;
 * {@link #done} completes when all have.
 */
public final class ConnectBatch extends ConnectGroup {
    static final int LATENCY_DIGITS = 3;

    private final byte[][] connectFrames;
    private final Channel[] channels;
    /** Connect-to-CONNACK in microseconds, recorded from every event loop. */
    private final AtomicHistogram latencyMicros;
    private final long highestMicros;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final ReasonCounts failures = new ReasonCounts();
    private final CompletableFuture<ConnectBatch> done = new CompletableFuture<>();
    private final long startNanos;
    private volatile long lastConnectedNanos;

    /**
     * {@code connectDeadline} bounds a connect: a CONNACK that arrives later (the deadline is checked
     * once a tick) counts as the deadline.
     */
    ConnectBatch(byte[][] connectFrames, long startNanos, Duration connectDeadline) {
        this.connectFrames = requireNonNull(connectFrames, "connectFrames");
        this.channels = new Channel[connectFrames.length];
        this.highestMicros = Math.max(2, connectDeadline.toNanos() / 1_000);
        this.latencyMicros = new AtomicHistogram(highestMicros, LATENCY_DIGITS);
        this.startNanos = startNanos;
        if (connectFrames.length == 0) {
            done.complete(this);
        }
    }

    @Override
    int claim() {
        int i = next.getAndIncrement();
        return i < connectFrames.length ? i : -1;
    }

    @Override
    byte[] connectFrame(int index) {
        return connectFrames[index];
    }

    @Override
    void onConnected(DeviceSession s, long nowNanos) {
        channels[s.index] = s.channel;
        latencyMicros.recordValue(Math.min(highestMicros, Math.max(0, (nowNanos - s.startNanos) / 1_000)));
        lastConnectedNanos = nowNanos;
        connected.incrementAndGet();
        finishOne();
    }

    @Override
    void onFailed(String reason) {
        failures.add(reason);
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
        return failures.snapshot();
    }

    /** CONNACK OKs per second from the first connect to the last CONNACK. */
    public double connectsPerSecond() {
        long elapsed = lastConnectedNanos - startNanos;
        return connected.get() == 0 || elapsed <= 0 ? 0 : connected.get() * 1e9 / elapsed;
    }

    public double elapsedSeconds() {
        return Math.max(0, lastConnectedNanos - startNanos) / 1e9;
    }

    /**
     * Connect-to-CONNACK latency at quantile {@code q} (0..1) over the connected devices, in
     * microseconds, to {@value #LATENCY_DIGITS} significant digits (read once {@link #done} completed).
     */
    public long latencyMicros(double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("q: " + q + " (expected: 0..1)");
        }
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(q * 100);
    }

    Channel[] channels() {
        return channels;
    }
}
