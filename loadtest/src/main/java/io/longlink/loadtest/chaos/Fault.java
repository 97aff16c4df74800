package io.longlink.loadtest.chaos;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The faults of a chaos run, in the order they are run by default. Each hits one process (a node
 * chosen by the seed where there are several) and ends with that process running again.
 */
enum Fault {
    /** kill -9 a conn-node, start it again after the restart delay. */
    CONN_KILL("conn"),
    /** kill -9 a router-node, start it again (same node id) after the restart delay. */
    ROUTER_KILL("router"),
    /** kill -9 an api-node, start it again after the restart delay. */
    API_KILL("api"),
    /** SIGSTOP a router-node for longer than the Kafka consumer session timeout, then SIGCONT. */
    ROUTER_PAUSE("router"),
    /** Stop Redis (SIGTERM: it writes its AOF and exits), keep it down, start it again. */
    REDIS_STOP("redis"),
    /** Stop the Kafka broker (controlled shutdown) and start it again. */
    KAFKA_RESTART("kafka"),
    /** Stop Redis and start it again at once (it reloads its AOF). */
    REDIS_RESTART("redis"),
    /** SIGTERM a conn-node: it drains its devices to the others and exits; then start it again. */
    CONN_DRAIN("conn"),
    /**
     * SIGSTOP Redis until the routers' batches fail and back off, stop a router meanwhile (its
     * partitions move to a router that is backing off), SIGCONT Redis, start the router again.
     */
    REDIS_PAUSE_ROUTER_STOP("router");

    private final String role;

    Fault(String role) {
        this.role = role;
    }

    /** The name in RESULT keys and schedules: conn_kill, router_pause, ... */
    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    String role() {
        return role;
    }

    /** Faults named by key, comma-separated ("all" = every fault in order). */
    static List<Fault> parse(String keys) {
        if (keys.strip().equals("all")) {
            return List.of(values());
        }
        return Arrays.stream(keys.split(",")).map(String::strip).map(k -> {
            for (Fault f : values()) {
                if (f.key().equals(k)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("fault: '" + k + "' (expected: all or some of "
                    + Arrays.stream(values()).map(Fault::key).toList() + ")");
        }).toList();
    }
}
