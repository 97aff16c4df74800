package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** One fault of a schedule and the process it hits, e.g. {@code conn_kill conn-2}. */
record FaultStep(Fault fault, String target) {
    FaultStep {
        requireNonNull(fault, "fault");
        requireNonNull(target, "target");
    }

    /**
     * The schedule a seed gives: each fault in the order given, hitting a node the seed picks among
     * its role's ({@code conn-1..connNodes}, {@code router-1..routers}, {@code api-1..apis}).
     */
    static List<FaultStep> schedule(List<Fault> faults, long seed, int connNodes, int routers, int apis) {
        Random r = new Random(seed);
        List<FaultStep> out = new ArrayList<>();
        for (Fault f : faults) {
            String target = switch (f.role()) {
                case "conn" -> "conn-" + (1 + r.nextInt(connNodes));
                case "router" -> "router-" + (1 + r.nextInt(routers));
                case "api" -> "api-" + (1 + r.nextInt(apis));
                default -> f.role();
            };
            out.add(new FaultStep(f, target));
        }
        return out;
    }

    @Override
    public String toString() {
        return fault.key() + " " + target;
    }
}
