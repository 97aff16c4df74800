package io.longlink.router.deliver;

import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjIntConsumer;

/**
 * The devices of one link whose copy failed to be delivered (it is in their inbox) and that have not
 * been re-drained since: every delivery to one carries {@code redrain}, and the link sends redrain-only
 * deliveries for them in the background, until one is answered WRITTEN or ACKED (re-drain started),
 * NOT_HERE or STALE_ROUTE (the device's next CONNECT drains its inbox). Thread-safe.
 *
 * <p>Each mark has a number, so an answer clears a device only if no newer failure marked it again
 * after the answered delivery was sent. Bounded: beyond {@code max} devices the set stops growing and
 * marks itself overflowed, and then every delivery carries {@code redrain} until the set is empty.
 */
final class DirtyDevices {
    /** A device on one connection. */
    record Device(String appKey, String deviceId, String connectionId) {
        static Device of(Delivery d) {
            return new Device(d.getAppKey(), d.getDeviceId(), d.getConnectionId());
        }

        Delivery redrainOnly() {
            return Delivery.newBuilder().setAppKey(appKey).setDeviceId(deviceId).setConnectionId(connectionId)
                    .setRedrain(true).build();
        }
    }

    /** Deliveries as sent, with the mark number each flagged one carried (0 = not flagged). */
    record Flagged(List<Delivery> deliveries, long[] marks) {
    }

    private final int max;
    private final ObjIntConsumer<String> events;
    private final Map<Device, Long> marks = new ConcurrentHashMap<>();
    private final AtomicLong nextMark = new AtomicLong();
    private volatile boolean overflowed;

    /** @param events counts {@code marked}, {@code cleared} and {@code overflowed} devices */
    DirtyDevices(int max, ObjIntConsumer<String> events) {
        this.max = max;
        this.events = events;
    }

    void mark(Device d) {
        if (marks.size() >= max && !marks.containsKey(d)) {
            if (!overflowed) {
                overflowed = true;
                events.accept("overflowed", 1);
            }
            return;
        }
        marks.put(d, nextMark.incrementAndGet());
        events.accept("marked", 1);
    }

    boolean isEmpty() {
        return marks.isEmpty() && !overflowed;
    }

    int size() {
        return marks.size();
    }

    /** {@code deliveries} with {@code redrain} set on those to dirty devices, or null when none is. */
    Flagged flag(List<Delivery> deliveries) {
        if (isEmpty()) {
            return null;
        }
        long[] sent = null;
        List<Delivery> out = null;
        boolean all = overflowed;
        for (int i = 0; i < deliveries.size(); i++) {
            Delivery d = deliveries.get(i);
            Long mark = marks.get(Device.of(d));
            if (mark == null && !all) {
                continue;
            }
            if (out == null) {
                out = new ArrayList<>(deliveries);
                sent = new long[deliveries.size()];
            }
            out.set(i, d.toBuilder().setRedrain(true).build());
            sent[i] = mark == null ? 0 : mark;
        }
        return out == null ? null : new Flagged(out, sent);
    }

    /** Every dirty device with its mark, as redrain-only deliveries, {@code n} a batch. */
    List<Flagged> redrainOnly(int n) {
        List<Flagged> batches = new ArrayList<>();
        List<Delivery> out = null;
        long[] sent = null;
        for (Map.Entry<Device, Long> e : marks.entrySet()) {
            if (out == null || out.size() == n) {
                out = new ArrayList<>(n);
                sent = new long[n];
                batches.add(new Flagged(out, sent));
            }
            sent[out.size()] = e.getValue();
            out.add(e.getKey().redrainOnly());
        }
        return batches;
    }

    /** Clears the devices whose flagged delivery was answered so that the inbox is taken care of. */
    void answered(Flagged flagged, DeliveryResult result) {
        int cleared = 0;
        for (int i = 0; i < flagged.deliveries.size(); i++) {
            long mark = flagged.marks[i];
            if (mark != 0 && settles(result.getOutcomes(i))
                    && marks.remove(Device.of(flagged.deliveries.get(i)), mark)) {
                cleared++;
            }
        }
        if (cleared > 0) {
            events.accept("cleared", cleared);
        }
        if (overflowed && marks.isEmpty()) {
            overflowed = false;
        }
    }

    private static boolean settles(Outcome o) {
        return o == Outcome.WRITTEN || o == Outcome.ACKED || o == Outcome.NOT_HERE || o == Outcome.STALE_ROUTE;
    }
}
