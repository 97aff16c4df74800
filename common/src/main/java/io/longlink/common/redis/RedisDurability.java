package io.longlink.common.redis;

import io.longlink.common.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis settings the delivery guarantees rest on, checked with CONFIG GET when a node opens
 * Redis: a route, inbox entry or message body that Redis loses at a restart, or evicts when memory
 * is full, is a push that is never delivered. Each unsafe value is logged as a warning, or, with
 * {@code redis.require-durable=true}, fails the start as a configuration error. A Redis that refuses
 * CONFIG (managed services rename or forbid it) cannot be checked: that is logged and the start
 * goes on, whatever the setting (the service's own persistence settings then apply).
 */
final class RedisDurability {
    private static final Logger log = LoggerFactory.getLogger(RedisDurability.class);

    /** An unsafe value of one setting on one Redis node. */
    record Unsafe(String node, String setting, String value, String expected, String why) {
        String problem() {
            return RedisSettings.REQUIRE_DURABLE.key() + ": true, but Redis " + node + " has " + setting + " '" + value
                    + "' (expected: " + expected + ")";
        }
    }

    private record Rule(String setting, Set<String> safe, String expected, String why) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("appendonly", Set.of("yes"), "yes",
                    "without the append-only file a restart loses every write since the last snapshot"),
            new Rule("appendfsync", Set.of("everysec", "always"), "everysec or always",
                    "'no' leaves flushing to the OS: a machine crash loses up to ~30 s of writes"),
            new Rule("maxmemory-policy", Set.of("noeviction"), "noeviction",
                    "an evicting policy deletes inbox entries, message bodies and routes when memory is full"));

    private RedisDurability() {
    }

    /** Logs each unsafe setting of every node of {@code store}; throws instead when {@code required}. */
    static void check(RedisStore store, boolean required, int timeoutMs) throws ConfigException {
        Map<String, Map<String, String>> nodes;
        try {
            nodes = store.configGet(timeoutMs, RULES.stream().map(Rule::setting).toArray(String[]::new));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("could not check the Redis durability settings (CONFIG GET refused or unanswered; managed"
                    + " services forbid it); make sure Redis keeps what it acknowledged error=\"{}\"", e.toString());
            return;
        }
        List<Unsafe> unsafe = unsafe(nodes);
        if (required && !unsafe.isEmpty()) {
            throw new ConfigException(unsafe.stream().map(Unsafe::problem).toList());
        }
        for (Unsafe u : unsafe) {
            log.warn("redis setting unsafe for the delivery guarantees (docs/operations.md, Redis durability) node={}"
                    + " setting={} value={} expected=\"{}\" why=\"{}\"", u.node(), u.setting(), u.value(), u.expected(),
                    u.why());
        }
    }

    /** The unsafe values among the settings of each node (a setting a node does not report is not judged). */
    static List<Unsafe> unsafe(Map<String, Map<String, String>> nodes) {
        List<Unsafe> out = new ArrayList<>();
        nodes.forEach((node, settings) -> {
            for (Rule r : RULES) {
                String value = settings.get(r.setting());
                if (value != null && !r.safe().contains(value)) {
                    out.add(new Unsafe(node, r.setting(), value, r.expected(), r.why()));
                }
            }
        });
        return out;
    }
}
