package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** Every push the load had accepted, in the order the answers came, by id too. Thread-safe. */
final class AcceptedPushes {
    private final ConcurrentLinkedQueue<Accepted> all = new ConcurrentLinkedQueue<>();
    private final Map<Long, Accepted> byId = new ConcurrentHashMap<>();
    private final RecoveryWindows windows;
    private final AtomicLong count = new AtomicLong();

    AcceptedPushes(RecoveryWindows windows) {
        this.windows = requireNonNull(windows, "windows");
    }

    void add(Accepted a) {
        // a retry answered "duplicate" names a push already recorded
        if (byId.putIfAbsent(a.id(), a) != null) {
            return;
        }
        all.add(a);
        count.incrementAndGet();
        if (a.kind().stored()) {
            windows.offered(a.id(), a.targets().length);
        }
    }

    Accepted get(long id) {
        return byId.get(id);
    }

    long count() {
        return count.get();
    }

    /** The pushes accepted at or after {@code fromMs} and before {@code toMs}. */
    List<Accepted> between(long fromMs, long toMs) {
        List<Accepted> out = new ArrayList<>();
        for (Accepted a : all) {
            if (a.acceptedMs() >= fromMs && a.acceptedMs() < toMs) {
                out.add(a);
            }
        }
        return out;
    }
}
