package io.longlink.conn.web;

import static java.util.Objects.requireNonNull;

import io.longlink.common.config.Config;
import io.longlink.conn.ConnSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The web listener's settings.
 *
 * @param path           where WebSocket upgrades are accepted
 * @param allowedOrigins browser origins (lower case) allowed to connect; empty = any
 * @param demoPage       whether {@code /} serves the demo page and {@code /longlink.js} the browser client
 * @param maxFrameBytes  the largest device frame body ({@code conn.max-frame-bytes})
 * @param httpPort       the bound HTTP session listener's port, for the demo page; -1 = none
 */
public record WebOptions(String path, List<String> allowedOrigins, boolean demoPage, int maxFrameBytes,
                         int httpPort) {
    public WebOptions {
        requireNonNull(path, "path");
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    public static WebOptions from(Config config) {
        List<String> origins = Arrays.stream(config.get(ConnSettings.WS_ALLOWED_ORIGINS).split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList();
        return new WebOptions(config.get(ConnSettings.WS_PATH), origins, config.get(ConnSettings.WS_DEMO_PAGE),
                config.get(ConnSettings.MAX_FRAME_BYTES), -1);
    }

    public WebOptions withHttpPort(int port) {
        return new WebOptions(path, allowedOrigins, demoPage, maxFrameBytes, port);
    }

    /** Whether a request with this Origin header (null: not a browser) may connect. */
    boolean allows(String origin) {
        return origin == null || allowedOrigins.isEmpty() || allowedOrigins.contains(origin.toLowerCase(Locale.ROOT));
    }

    /** The largest WebSocket message: one frame's header (type byte, varint of at most 5 bytes) and body. */
    int maxMessageBytes() {
        return maxFrameBytes + 6;
    }
}
