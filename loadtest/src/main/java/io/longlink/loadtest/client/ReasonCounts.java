package io.longlink.loadtest.client;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** How often each reason came up (a failed connect's, a dropped connection's), counted from any event loop. */
public final class ReasonCounts {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void add(String reason) {
        counts.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** Reason -> count, sorted by reason. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
