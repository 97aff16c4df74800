package io.longlink.common.redis;

import java.nio.charset.StandardCharsets;

/**
 * A device's route as conn-nodes write it to {@code ll:route:{app:dev}}: {@code nodeId|connectionId}.
 *
 * @param connectionId "" when the value names only a node
 */
public record Route(String nodeId, String connectionId) {
    /** The value stored in Redis. */
    public String value() {
        return nodeId + "|" + connectionId;
    }

    /** The route in {@code raw}, or null when there is none or it is unreadable. */
    public static Route parse(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return null;
        }
        return parse(new String(raw, StandardCharsets.UTF_8));
    }

    /** The route in {@code value}, or null when there is none or it is unreadable. */
    public static Route parse(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        // connection ids are hex, so the last bar is the separator whatever the node id holds
        int bar = value.lastIndexOf('|');
        String node = bar < 0 ? value : value.substring(0, bar);
        if (node.isEmpty()) {
            return null;
        }
        return new Route(node, bar < 0 ? "" : value.substring(bar + 1));
    }
}
