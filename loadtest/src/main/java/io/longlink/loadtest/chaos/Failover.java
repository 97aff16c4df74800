package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Calls an api-node until it answers, as docs/api.md tells users to: UNAVAILABLE and
 * DEADLINE_EXCEEDED are retried on the other api-node, other transient codes on the same one, with
 * the same request (so the same request_id), backing off 100 ms doubling to 2 s. One per caller
 * thread (it remembers which node answered last); the failure counts are shared.
 */
final class Failover {
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;

    private final int nodes;
    private final Map<String, LongAdder> failures;
    private int node;

    Failover(int nodes, int firstNode, Map<String, LongAdder> failures) {
        this.nodes = nodes;
        this.node = firstNode % nodes;
        this.failures = requireNonNull(failures, "failures");
    }

    static Map<String, LongAdder> newCounts() {
        return new ConcurrentHashMap<>();
    }

    static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /**
     * The answer of {@code call} on some api-node, or null when {@code giveUp} turned true while it
     * kept failing. Throws for a code no retry can fix (a bad request: a defect of the harness).
     */
    <T> T call(IntFunction<T> call, BooleanSupplier giveUp) throws InterruptedException {
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            try {
                return call.apply(node);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                failures.computeIfAbsent(code.name().toLowerCase(java.util.Locale.ROOT), k -> new LongAdder())
                        .increment();
                switch (code) {
                    case INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, UNIMPLEMENTED -> throw e;
                    case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> node = (node + 1) % nodes;
                    default -> {
                    }
                }
            }
            if (giveUp.getAsBoolean()) {
                return null;
            }
            TimeUnit.MILLISECONDS.sleep(backoff);
            backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
    }

    /** Moves on to the other api-node (an entry of a batch came back UNAVAILABLE). */
    void switchNode() {
        node = (node + 1) % nodes;
    }
}
