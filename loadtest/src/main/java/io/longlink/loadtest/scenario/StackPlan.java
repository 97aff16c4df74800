package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What ops/bench must start for a scenario (only what it needs), how to run the nodes, and the
 * hard time cap of the whole run. Printed as {@code key=value} lines that the shell reads.
 * {@code conn} in {@code processes} starts {@code connNodes} conn-nodes (conn-1..), {@code router}
 * starts {@code routers} router-nodes, {@code api} starts {@code apis} api-nodes; {@code nodeJavaOpts} are
 * the api- and router-nodes' JVM options, {@code benchJavaOpts} the scenario JVM's ("" = ops/bench's default).
 */
public record StackPlan(List<String> processes, String connJavaOpts, Map<String, String> connSettings,
                        int timeCapSeconds, int connNodes, int routers, String nodeJavaOpts,
                        Map<String, String> routerSettings, Map<String, String> apiSettings, int apis,
                        String benchJavaOpts) {
    /**
     * The conn-node setting of a scenario whose devices all connect from a few loopback addresses,
     * where a real population comes from many: no per-address CONNECT rate (the abuse scenario keeps
     * it, as it measures it).
     */
    public static final Map<String, String> LOOPBACK_DEVICES = Map.of("conn.connect-rate-per-ip", "0");
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_.:,/+=@%-]*");
    private static final List<String> KNOWN = List.of("redis", "zookeeper", "kafka", "router", "api", "conn");

    /** One conn-node, no router or api-node. */
    public StackPlan(List<String> processes, String connJavaOpts, Map<String, String> connSettings,
                     int timeCapSeconds) {
        this(processes, connJavaOpts, connSettings, timeCapSeconds, 1, 0, "", Map.of(), Map.of());
    }

    /** One api-node, the scenario JVM with ops/bench's default options. */
    public StackPlan(List<String> processes, String connJavaOpts, Map<String, String> connSettings,
                     int timeCapSeconds, int connNodes, int routers, String nodeJavaOpts,
                     Map<String, String> routerSettings, Map<String, String> apiSettings) {
        this(processes, connJavaOpts, connSettings, timeCapSeconds, connNodes, routers, nodeJavaOpts, routerSettings,
                apiSettings, 1, "");
    }

    public StackPlan {
        processes = List.copyOf(processes);
        requireNonNull(connJavaOpts, "connJavaOpts");
        requireNonNull(nodeJavaOpts, "nodeJavaOpts");
        requireNonNull(benchJavaOpts, "benchJavaOpts");
        connSettings = Map.copyOf(connSettings);
        routerSettings = Map.copyOf(routerSettings);
        apiSettings = Map.copyOf(apiSettings);
        if (connNodes < 1 || connNodes > 10 || routers < 0 || routers > 9 || apis < 1 || apis > 5) {
            throw new IllegalArgumentException("connNodes: " + connNodes + ", routers: " + routers + ", apis: " + apis
                    + " (expected: 1..10, 0..9 and 1..5)");
        }
        checkShellSafe("nodeJavaOpts", nodeJavaOpts);
        checkShellSafe("benchJavaOpts", benchJavaOpts);
        for (String p : processes) {
            if (!KNOWN.contains(p)) {
                throw new IllegalArgumentException("process: '" + p + "' (expected: one of " + KNOWN + ")");
            }
        }
        checkShellSafe("connJavaOpts", connJavaOpts);
        if (timeCapSeconds < 1) {
            throw new IllegalArgumentException("timeCapSeconds: " + timeCapSeconds + " (expected: >= 1)");
        }
    }

    private static void checkShellSafe(String name, String opts) {
        for (String opt : opts.split(" ")) {
            if (!SHELL_SAFE.matcher(opt).matches()) {
                throw new IllegalArgumentException(name + ": '" + opt + "' has characters the shell would interpret");
            }
        }
    }

    /** The lines ops/bench reads; conn settings sorted so the output is stable. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("processes=" + String.join(" ", processes));
        out.add("time_cap_s=" + timeCapSeconds);
        out.add("conn_java_opts=" + connJavaOpts);
        connSettings.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.add("conn_setting=" + e.getKey() + "=" + e.getValue()));
        out.add("conn_nodes=" + connNodes);
        out.add("routers=" + routers);
        out.add("node_java_opts=" + nodeJavaOpts);
        routerSettings.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.add("router_setting=" + e.getKey() + "=" + e.getValue()));
        apiSettings.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.add("api_setting=" + e.getKey() + "=" + e.getValue()));
        if (apis != 1) {
            out.add("apis=" + apis);
        }
        if (!benchJavaOpts.isEmpty()) {
            out.add("bench_java_opts=" + benchJavaOpts);
        }
        return out;
    }
}
