package io.longlink.router.route;

import java.nio.charset.StandardCharsets;

/**
 * A device's route as conn-nodes write it: {@code nodeId|connectionId}.
 *
 * @param connectionId "" when the value names only a node
 */
public record Route(String nodeId, String connectionId) {
    /** The route in {@code raw}, or null when there is none or it is unreadable. */
    public static Route parse(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return null;
        }
        String value = new String(raw, StandardCharsets.UTF_8);
        int bar = value.indexOf('|');
        String node = bar < 0 ? value : value.substring(0, bar);
        if (node.isEmpty()) {
            return null;
        }
        return new Route(node, bar < 0 ? "" : value.substring(bar + 1));
    }
}
