package io.longlink.loadtest.broadcast;

import io.longlink.loadtest.client.PushListener;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * What the devices of one event loop received: per message id, which devices got it (a bit per
 * device index, so 19,000 devices cost 2.4 KB a message, not a set per device) and how many copies
 * came again; per step mark (the payload's first byte), the first copies' accept-to-device latency
 * and when the last arrived. Called and read on its loop's thread only ({@link PushListener}).
 */
final class CopyRecorder implements PushListener {
    static final long MAX_LATENCY_MS = 3_600_000L;

    /** One message's copies on this loop. */
    static final class Copies {
        final BitSet devices = new BitSet();
        final int mark;
        long again;

        Copies(int mark) {
            this.mark = mark;
        }
    }

    private final Map<Long, Copies> byId = new HashMap<>();
    private final Histogram[] latencyMs;
    private final long[] lastMs;
    private final LongSupplier clock;
    private long unmarked;
    /** The message the last copy belonged to: a loop reads one fan-out's copies in a row, found without a box. */
    private long lastId;
    private Copies last;

    /** For marks 0 (warm-up) .. {@code steps}; {@code clock} answers epoch ms. */
    CopyRecorder(int steps, LongSupplier clock) {
        this.clock = clock;
        this.latencyMs = new Histogram[steps + 1];
        this.lastMs = new long[steps + 1];
        for (int i = 0; i <= steps; i++) {
            latencyMs[i] = new Histogram(MAX_LATENCY_MS, 3);
        }
    }

    @Override
    public void onPush(long messageId, long sentAtMs, int firstPayloadByte) {
        unmarked++; // every device of the scenario reports its index: this one is not the scenario's
    }

    @Override
    public void onPush(int device, long messageId, long sentAtMs, int mark) {
        if (mark < 0 || mark >= latencyMs.length) {
            unmarked++;
            return;
        }
        Copies c = last != null && lastId == messageId ? last
                : byId.computeIfAbsent(messageId, id -> new Copies(mark));
        last = c;
        lastId = messageId;
        if (c.devices.get(device)) {
            c.again++;
            return;
        }
        c.devices.set(device);
        long now = clock.getAsLong();
        latencyMs[mark].recordValue(Math.clamp(now - sentAtMs, 0, MAX_LATENCY_MS));
        lastMs[mark] = Math.max(lastMs[mark], now);
    }

    /** Adds this loop's figures to {@code into}; on the loop's thread. */
    void addTo(CopyTally into) {
        into.add(byId, latencyMs, lastMs, unmarked);
    }
}
