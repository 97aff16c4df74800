package io.longlink.loadtest.scenario;

import io.longlink.loadtest.idle.IdleConnectionsScenario;
import io.longlink.loadtest.unicast.UnicastScenario;
import java.util.List;
import java.util.Optional;

/** Every scenario ops/bench can run, in the order --list shows them. */
public final class Scenarios {
    private static final List<Scenario> ALL = List.of(new IdleConnectionsScenario(), new UnicastScenario());

    private Scenarios() {
    }

    public static List<Scenario> all() {
        return ALL;
    }

    public static Optional<Scenario> named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public static Scenario require(String name) throws UsageException {
        return named(name).orElseThrow(() -> new UsageException("unknown scenario '" + name + "' (expected: "
                + String.join(", ", ALL.stream().map(Scenario::name).toList()) + "; ops/bench --list)"));
    }
}
