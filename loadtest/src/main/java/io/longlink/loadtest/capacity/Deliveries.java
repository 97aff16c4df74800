package io.longlink.loadtest.capacity;

import java.util.concurrent.atomic.LongAdder;

/**
 * The run's delivery accounting, by copies: what the API accepted (a unicast is one copy, a
 * broadcast one per device connected when it was accepted) against what the devices received.
 * Counts, not ids: a copy received twice (delivery is at-least-once) can hide one never received;
 * the summary shows both sides.
 */
final class Deliveries {
    static final String UNICAST = "unicast delivery";
    static final String BROADCAST = "broadcast delivery";

    final LongAdder unicastAccepted = new LongAdder();
    final LongAdder unicastReceived = new LongAdder();
    final LongAdder broadcastsAccepted = new LongAdder();
    final LongAdder broadcastCopiesExpected = new LongAdder();
    final LongAdder broadcastReceived = new LongAdder();
    /** PUSHes of messages accepted before this run (an earlier run's broadcasts replayed from the log). */
    final LongAdder stale = new LongAdder();

    long expected() {
        return unicastAccepted.sum() + broadcastCopiesExpected.sum();
    }

    long received() {
        return unicastReceived.sum() + broadcastReceived.sum();
    }

    long unicastMissing() {
        return Math.max(0, unicastAccepted.sum() - unicastReceived.sum());
    }

    long broadcastMissing() {
        return Math.max(0, broadcastCopiesExpected.sum() - broadcastReceived.sum());
    }
}
