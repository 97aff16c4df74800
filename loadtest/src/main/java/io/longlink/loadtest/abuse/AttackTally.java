package io.longlink.loadtest.abuse;

import io.longlink.loadtest.client.ReasonCounts;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the attackers saw, per kind, counted from any event loop: sockets connected, sockets the node
 * refused or closed (a connect that failed, or a close the attacker did not ask for), logins the node
 * accepted, and why sockets ended (the node's ERROR code, a refused CONNACK, or a bare close).
 */
final class AttackTally {
    private final Map<AttackKind, LongAdder> opened = counters();
    private final Map<AttackKind, LongAdder> refused = counters();
    private final Map<AttackKind, LongAdder> loggedIn = counters();
    private final Map<AttackKind, LongAdder> skipped = counters();
    private final LongAdder pings = new LongAdder();
    private final LongAdder ackIds = new LongAdder();
    private final ReasonCounts reasons = new ReasonCounts();

    private static Map<AttackKind, LongAdder> counters() {
        Map<AttackKind, LongAdder> m = new EnumMap<>(AttackKind.class);
        for (AttackKind k : AttackKind.values()) {
            m.put(k, new LongAdder());
        }
        return m;
    }

    void opened(AttackKind k) {
        opened.get(k).increment();
    }

    void refused(AttackKind k, String reason) {
        refused.get(k).increment();
        reasons.add(k.key() + ":" + reason);
    }

    void loggedIn(AttackKind k) {
        loggedIn.get(k).increment();
    }

    /** A socket a rate-driven attacker did not open: too many of its sockets were still waiting for an answer. */
    void skipped(AttackKind k) {
        skipped.get(k).increment();
    }

    void pings(int n) {
        pings.add(n);
    }

    void ackIds(int n) {
        ackIds.add(n);
    }

    long refusedOf(AttackKind k) {
        return refused.get(k).sum();
    }

    long openedOf(AttackKind k) {
        return opened.get(k).sum();
    }

    long loggedInOf(AttackKind k) {
        return loggedIn.get(k).sum();
    }

    long skippedOf(AttackKind k) {
        return skipped.get(k).sum();
    }

    long refused() {
        return refused.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long pingsSent() {
        return pings.sum();
    }

    long ackIdsSent() {
        return ackIds.sum();
    }

    /** kind:reason -> count, sorted. */
    Map<String, Long> reasons() {
        return reasons.snapshot();
    }
}
