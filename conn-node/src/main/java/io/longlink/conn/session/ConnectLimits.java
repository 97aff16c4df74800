package io.longlink.conn.session;

import io.longlink.common.config.Config;
import io.longlink.conn.ConnSettings;

/**
 * What the node admits: sockets that have not completed CONNECT, authenticated connections, and
 * CONNECTs per second per source address and per node (each rate with bursts of twice it; 0 = no
 * limit); {@code abusePenaltyMs} of its per-address budget an address loses per protocol violation.
 * {@code retryAfterMs} is the base of the REDIRECT's retry_after_ms sent with a refusal.
 */
public record ConnectLimits(int maxUnauthenticated, int maxConnections, int connectRatePerAddress, int abusePenaltyMs,
                            int connectRate, int retryAfterMs) {
    public static ConnectLimits from(Config c) {
        return new ConnectLimits(c.get(ConnSettings.MAX_UNAUTHENTICATED), c.get(ConnSettings.MAX_CONNECTIONS),
                c.get(ConnSettings.CONNECT_RATE_PER_IP), c.get(ConnSettings.ABUSE_PENALTY_MS),
                c.get(ConnSettings.CONNECT_RATE), c.get(ConnSettings.DRAIN_RETRY_AFTER_MS));
    }
}
