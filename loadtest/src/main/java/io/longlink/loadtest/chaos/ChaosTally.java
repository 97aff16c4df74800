package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Accounts for every push accepted in a time range against what the devices' apps were shown:
 * <ul>
 *   <li>lost: a TTL &gt; 0 push not shown to every device it targeted (lost_ttl0 likewise for TTL 0, kept apart);</li>
 *   <li>duplicates shown: a message shown more than once to one client instance (each extra showing counts);</li>
 *   <li>order violations: a device-addressed push shown after a push of the same sequential caller to
 *       the same device that was accepted later (each such showing counts).</li>
 * </ul>
 * Each finding is also counted in the phase (the fault running) when its push was accepted.
 */
final class ChaosTally {
    static final int MAX_SAMPLES = 5_000;

    /** A phase of the run from {@code fromMs} on: "steady" before the first fault, then each fault's key. */
    record Phase(String name, long fromMs) {
    }

    /** One copy not shown: the push and the device it did not reach. */
    record LostCopy(Accepted push, int device, String phase) {
    }

    /** A push shown after {@code after}, a push of the same caller to the same device accepted later. */
    record Reorder(Accepted push, Accepted after, int device, String phase) {
    }

    /** The findings of one phase. */
    static final class Counts {
        long accepted;
        long lost;
        long lostCopies;
        long lostTtl0;
        long duplicates;
        long orderViolations;
        final Map<String, Long> lostKinds = new TreeMap<>();

        String lostKindsText() {
            StringBuilder sb = new StringBuilder();
            lostKinds.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append(':').append(v));
            return sb.isEmpty() ? "none" : sb.toString();
        }
    }

    record Report(Counts total, Map<String, Counts> byPhase, List<LostCopy> samples, List<Reorder> reorders,
                  long unexpected) {
    }

    private ChaosTally() {
    }

    static Report of(AcceptedPushes accepted, List<DeviceLog> devices, List<Phase> phases, long fromMs, long toMs) {
        requireNonNull(accepted, "accepted");
        List<Phase> sorted = new ArrayList<>(phases);
        sorted.sort((a, b) -> Long.compare(a.fromMs(), b.fromMs()));
        Counts total = new Counts();
        Map<String, Counts> byPhase = new LinkedHashMap<>();
        sorted.forEach(p -> byPhase.put(p.name(), new Counts()));
        List<LostCopy> samples = new ArrayList<>();
        List<Reorder> reorders = new ArrayList<>();

        DeviceLog.Shown[] shown = new DeviceLog.Shown[devices.size()];
        long[][] sortedIds = new long[devices.size()][];
        for (DeviceLog d : devices) {
            shown[d.device()] = d.snapshot();
            long[] ids = shown[d.device()].ids().clone();
            Arrays.sort(ids);
            sortedIds[d.device()] = ids;
        }

        for (Accepted a : accepted.between(fromMs, toMs)) {
            String phase = phaseOf(sorted, a.acceptedMs());
            Counts c = byPhase.computeIfAbsent(phase, k -> new Counts());
            total.accepted++;
            c.accepted++;
            int missing = 0;
            for (int d : a.targets()) {
                if (Arrays.binarySearch(sortedIds[d], a.id()) < 0) {
                    missing++;
                    if (a.kind().stored() && samples.size() < MAX_SAMPLES) {
                        samples.add(new LostCopy(a, d, phase));
                    }
                }
            }
            if (missing == 0) {
                continue;
            }
            if (a.kind().stored()) {
                total.lost++;
                c.lost++;
                total.lostCopies += missing;
                c.lostCopies += missing;
                total.lostKinds.merge(a.kind().key(), 1L, Long::sum);
                c.lostKinds.merge(a.kind().key(), 1L, Long::sum);
            } else {
                total.lostTtl0++;
                c.lostTtl0++;
            }
        }

        long unexpected = 0;
        for (int d = 0; d < shown.length; d++) {
            long[] ids = sortedIds[d];
            for (int i = 0; i < ids.length; i++) {
                if (i > 0 && ids[i] == ids[i - 1]) {
                    long at = acceptedOrIdMillis(accepted, ids[i]);
                    if (at >= fromMs && at < toMs) {
                        total.duplicates++;
                        byPhase.computeIfAbsent(phaseOf(sorted, at), k -> new Counts()).duplicates++;
                    }
                } else if (accepted.get(ids[i]) == null) {
                    unexpected++;
                }
            }
            countOrder(accepted, d, shown[d], sorted, byPhase, total, reorders, fromMs, toMs);
        }
        return new Report(total, byPhase, samples, reorders, unexpected);
    }

    private static void countOrder(AcceptedPushes accepted, int device, DeviceLog.Shown shown, List<Phase> phases,
                                   Map<String, Counts> byPhase, Counts total, List<Reorder> reorders, long fromMs,
                                   long toMs) {
        Map<Integer, Accepted> highest = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        for (long id : shown.ids()) {
            Accepted a = accepted.get(id);
            if (a == null || !a.kind().ordered() || !seen.add(id)) {
                continue;
            }
            Accepted h = highest.get(a.caller());
            if (h == null || a.rank() > h.rank()) {
                highest.put(a.caller(), a);
            } else if (a.acceptedMs() >= fromMs && a.acceptedMs() < toMs) {
                String phase = phaseOf(phases, a.acceptedMs());
                total.orderViolations++;
                byPhase.computeIfAbsent(phase, k -> new Counts()).orderViolations++;
                if (reorders.size() < MAX_SAMPLES) {
                    reorders.add(new Reorder(a, h, device, phase));
                }
            }
        }
    }

    private static long acceptedOrIdMillis(AcceptedPushes accepted, long id) {
        Accepted a = accepted.get(id);
        return a != null ? a.acceptedMs() : Probe.idMillis(id);
    }

    static String phaseOf(List<Phase> sorted, long ms) {
        String name = "steady";
        for (Phase p : sorted) {
            if (p.fromMs() <= ms) {
                name = p.name();
            }
        }
        return name;
    }
}
