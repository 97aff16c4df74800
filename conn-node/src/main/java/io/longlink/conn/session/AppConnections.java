package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.common.admin.AdminServer.AdminHandler;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Admin {@code GET /connections[?app=KEY]}: this node's connections by app, one
 * {@code app=KEY connections=N} line each (with {@code app}, that app's line even at 0), for
 * {@code pushctl cluster connections}.
 */
public final class AppConnections implements AdminHandler {
    private final SessionIndex index;

    public AppConnections(SessionIndex index) {
        this.index = requireNonNull(index, "index");
    }

    @Override
    public Reply handle(String rawQuery) {
        Map<String, Integer> sizes = index.sizesByApp();
        String app = appOf(rawQuery);
        StringBuilder out = new StringBuilder();
        if (app != null) {
            line(out, app, sizes.getOrDefault(app, 0));
        } else {
            sizes.forEach((key, n) -> line(out, key, n));
        }
        return new Reply(200, out.toString());
    }

    private static void line(StringBuilder out, String app, int connections) {
        out.append("app=").append(app).append(" connections=").append(connections).append('\n');
    }

    private static String appOf(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("app=")) {
                return URLDecoder.decode(pair.substring(4), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
