package io.longlink.loadtest.broadcast;

import io.longlink.loadtest.client.LoadGenerator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Every event loop's {@link CopyRecorder} added up at one moment: per message id the devices that
 * received it and the copies that came again, per step mark the latency of first copies and when the
 * last arrived. Each loop adds its own on its thread (a device lives on one loop, so the devices of
 * one message add up across loops without counting one twice).
 */
final class CopyTally {
    /** One message over every loop: devices that got it, copies beyond the first, its step mark. */
    record Message(long devices, long again, int mark) {
    }

    /** Guarded by this: loops add at once. */
    private final Map<Long, long[]> byId = new HashMap<>();
    private final Histogram[] latencyMs;
    private final long[] lastMs;
    private long unmarked;

    private CopyTally(int steps) {
        this.latencyMs = new Histogram[steps + 1];
        this.lastMs = new long[steps + 1];
        for (int i = 0; i <= steps; i++) {
            latencyMs[i] = new Histogram(CopyRecorder.MAX_LATENCY_MS, 3);
        }
    }

    /** Nothing yet, for marks 0 .. {@code steps}: loops add to it. */
    static CopyTally empty(int steps) {
        return new CopyTally(steps);
    }

    /** What every loop of {@code gen} recorded until now. */
    static CopyTally of(LoadGenerator gen, int steps) throws Exception {
        CopyTally t = empty(steps);
        gen.onEachLoop(l -> ((CopyRecorder) l).addTo(t)).get(30, TimeUnit.SECONDS);
        synchronized (t) {
            return t;
        }
    }

    synchronized void add(Map<Long, CopyRecorder.Copies> copies, Histogram[] latency, long[] last,
                          long unmarkedCopies) {
        copies.forEach((id, c) -> {
            long[] m = byId.computeIfAbsent(id, k -> new long[] {0, 0, c.mark});
            m[0] += c.devices.cardinality();
            m[1] += c.again;
        });
        for (int i = 0; i < latencyMs.length; i++) {
            latencyMs[i].add(latency[i]);
            lastMs[i] = Math.max(lastMs[i], last[i]);
        }
        unmarked += unmarkedCopies;
    }

    /** The message's copies, or none received. */
    synchronized Message message(long id) {
        long[] m = byId.get(id);
        return m == null ? new Message(0, 0, -1) : new Message(m[0], m[1], (int) m[2]);
    }

    /** Ids received, accepted or not. */
    synchronized Map<Long, Message> messages() {
        Map<Long, Message> out = new HashMap<>();
        byId.forEach((id, m) -> out.put(id, new Message(m[0], m[1], (int) m[2])));
        return out;
    }

    /** First copies of step {@code mark}'s messages: latency in ms. */
    synchronized Histogram latencyMs(int mark) {
        return latencyMs[mark];
    }

    /** Epoch ms of the last first copy of step {@code mark}, 0 if none. */
    synchronized long lastMs(int mark) {
        return lastMs[mark];
    }

    /** Copies whose payload carried no mark of this run. */
    synchronized long unmarked() {
        return unmarked;
    }
}
