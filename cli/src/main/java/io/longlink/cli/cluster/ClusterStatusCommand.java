package io.longlink.cli.cluster;

import io.longlink.cli.Output;
import io.longlink.common.discovery.NodeInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

@Command(name = "status", description = {"every member with its role, state, endpoints and load",
    "role=... id=... state=ready|not_ready|draining|unreachable, then per role: connections (conn), consumer_lag"
            + " (router), pushes_in_flight (api), heap_mb, and the endpoints; a last line sums them up."})
final class ClusterStatusCommand extends ClusterSubcommand {
    private static final String HEAP_USED = "jvm_memory_bytes_used{area=\"heap\",}";

    @Override
    protected void run(Members members, AdminPorts admin, PrintWriter out) throws Exception {
        Map<String, Integer> count = new TreeMap<>();
        long connections = 0;
        long lag = 0;
        for (String role : Members.ROLES) {
            for (NodeInfo node : members.of(role)) {
                Map<String, Double> metrics = admin.metrics(node);
                String state = node.draining() ? "draining" : admin.readiness(node);
                List<Object> line = new ArrayList<>(List.of("role", role, "id", node.id(), "state", state));
                switch (role) {
                    case "conn" -> {
                        long n = figure(metrics, "longlink_conn_connections", node.load());
                        connections += n;
                        line.addAll(List.of("connections", n, "load", node.load()));
                    }
                    case "router" -> {
                        long n = figure(metrics, "longlink_router_consumer_lag_records", 0);
                        lag += n;
                        line.addAll(List.of("consumer_lag", n));
                    }
                    default -> line.addAll(List.of("pushes_in_flight", figure(metrics, "longlink_api_pushes_in_flight", 0)));
                }
                line.addAll(List.of("heap_mb", figure(metrics, HEAP_USED, 0) >> 20));
                new TreeMap<>(node.endpoints()).forEach((name, address) -> line.addAll(List.of(name, address)));
                out.println(Output.line(line.toArray()));
                count.merge(role, 1, Integer::sum);
            }
        }
        out.println(Output.line("members", count.values().stream().mapToInt(Integer::intValue).sum(),
                "conn_nodes", count.getOrDefault("conn", 0), "routers", count.getOrDefault("router", 0),
                "api_nodes", count.getOrDefault("api", 0), "connections", connections, "consumer_lag", lag));
    }

    /** The metric's value, or {@code fallback} when the node did not answer. */
    private static long figure(Map<String, Double> metrics, String name, long fallback) {
        Double v = metrics.get(name);
        return v == null ? fallback : Math.round(v);
    }
}
