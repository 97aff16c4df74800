package io.longlink.common.discovery;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a node publishes in its ephemeral ZooKeeper node: identity, role, the addresses it serves
 * a load figure (connections for conn-nodes) and whether it drains. Stored as {@code key=value}
 * lines so that {@code zkCli get} stays readable.
 *
 * @param endpoints named addresses, e.g. {@code device=127.0.0.1:7000}, {@code grpc=127.0.0.1:7100}
 * @param draining  the node is draining: it still serves the connections it holds (routers keep
 *                  delivering to them) but takes no new ones (bootstrap does not offer it)
 */
public record NodeInfo(String id, String role, Map<String, String> endpoints, long load, boolean draining) {
    private static final String DRAINING = "draining";

    public NodeInfo {
        requireNonNull(id, "id");
        requireNonNull(role, "role");
        endpoints = Map.copyOf(endpoints);
    }

    public NodeInfo(String id, String role, Map<String, String> endpoints, long load) {
        this(id, role, endpoints, load, false);
    }

    public String endpoint(String name) {
        return endpoints.get(name);
    }

    public NodeInfo withLoad(long newLoad) {
        return new NodeInfo(id, role, endpoints, newLoad, draining);
    }

    public NodeInfo asDraining() {
        return new NodeInfo(id, role, endpoints, load, true);
    }

    public byte[] encode() {
        StringBuilder sb = new StringBuilder();
        sb.append("id=").append(id).append('\n');
        sb.append("role=").append(role).append('\n');
        sb.append("load=").append(load).append('\n');
        if (draining) {
            sb.append("state=").append(DRAINING).append('\n');
        }
        new TreeMap<>(endpoints).forEach((k, v) -> sb.append("endpoint.").append(k).append('=').append(v).append('\n'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static NodeInfo decode(byte[] data) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(data, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable node data", e);
        }
        Map<String, String> endpoints = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("endpoint.")) {
                endpoints.put(key.substring("endpoint.".length()), p.getProperty(key));
            }
        }
        String id = p.getProperty("id");
        String role = p.getProperty("role");
        if (id == null || role == null) {
            throw new IllegalArgumentException("node data without id or role");
        }
        return new NodeInfo(id, role, endpoints, Long.parseLong(p.getProperty("load", "0")),
                DRAINING.equals(p.getProperty("state")));
    }
}
