package io.longlink.conn.session;

import io.longlink.common.config.Config;
import io.longlink.common.redis.RedisSettings;
import io.longlink.conn.ConnSettings;

/** The settings the session layer reads, resolved once (ticks computed from conn.timer-tick-ms). */
public record SessionSettings(int tickMillis, int connectTimeoutMs, int storeTimeoutMs, int heartbeatMin,
                              int heartbeatMax, int heartbeatDefault, int idleFactor, long routeTtlMs,
                              int slowReaderMs, int inboxPage, int pendingMax, int maxTags, int replayPage,
                              int replayMax, int replaySkewMs, int maxFramesPerS, int maxAckIdsPerS) {
    public static SessionSettings from(Config c) {
        return new SessionSettings(c.get(ConnSettings.TIMER_TICK_MS), c.get(ConnSettings.CONNECT_TIMEOUT_MS),
                c.get(RedisSettings.TIMEOUT_MS), c.get(ConnSettings.HEARTBEAT_MIN_S),
                c.get(ConnSettings.HEARTBEAT_MAX_S), c.get(ConnSettings.HEARTBEAT_DEFAULT_S),
                c.get(ConnSettings.IDLE_FACTOR), c.get(ConnSettings.ROUTE_TTL_MS), c.get(ConnSettings.SLOW_READER_MS),
                c.get(ConnSettings.INBOX_PAGE), c.get(ConnSettings.PENDING_MAX), c.get(ConnSettings.MAX_TAGS),
                c.get(ConnSettings.REPLAY_PAGE), c.get(ConnSettings.REPLAY_MAX), c.get(ConnSettings.REPLAY_SKEW_MS),
                c.get(ConnSettings.MAX_FRAMES_PER_S), c.get(ConnSettings.MAX_ACK_IDS_PER_S));
    }

    int ticks(long millis) {
        return (int) Math.max(1, (millis + tickMillis - 1) / tickMillis);
    }

    int idleTicks(int heartbeatSeconds) {
        return ticks(heartbeatSeconds * 1000L * idleFactor);
    }

    /** Routes are renewed when a third of their TTL has passed since the last renewal. */
    int renewTicks() {
        return ticks(routeTtlMs / 3);
    }
}
