package io.longlink.common.redis;

import io.longlink.common.config.Setting;
import java.util.List;

/** Redis settings shared by the roles that use Redis. */
public final class RedisSettings {
    public static final Setting<String> URIS = Setting.string("redis.uris", "redis://127.0.0.1:6379",
            "Redis URI, or comma-separated seed URIs of a Redis Cluster");
    public static final Setting<Boolean> CLUSTER = Setting.bool("redis.cluster", false,
            "true = Redis Cluster (keys of a device share a slot through hash tags)");
    public static final Setting<Integer> TIMEOUT_MS = Setting.intRange("redis.timeout-ms", 5_000, 100, 60_000,
            "Command timeout and start-up connect timeout");

    public static final Setting<Boolean> REQUIRE_DURABLE = Setting.bool("redis.require-durable", false,
            "true = refuse to start when Redis is not set up to keep what it acknowledged (appendonly yes,"
                    + " appendfsync everysec or always, maxmemory-policy noeviction); false = log a warning");

    private RedisSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(URIS, CLUSTER, TIMEOUT_MS, REQUIRE_DURABLE);
    }
}
