package io.longlink.conn;

import io.longlink.common.config.Setting;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisSettings;
import java.util.ArrayList;
import java.util.List;

/** Every conn-node setting. */
public final class ConnSettings {
    public static final Setting<Integer> ADMIN_PORT = Setting.port("admin.port", 9120,
            "Admin HTTP port (/metrics, /healthz, /readyz, POST /drain)");
    public static final Setting<String> DEVICE_HOST = Setting.string("conn.device.host", "127.0.0.1",
            "Bind address of the device TCP listener");
    public static final Setting<Integer> DEVICE_PORT = Setting.port("conn.device.port", 7000,
            "Port of the device TCP listener");
    public static final Setting<String> GRPC_HOST = Setting.string("conn.grpc.host", "127.0.0.1",
            "Bind address of the internal gRPC service (routers, peer conn-nodes)");
    public static final Setting<Integer> GRPC_PORT = Setting.port("conn.grpc.port", 7100,
            "Port of the internal gRPC service");

    private ConnSettings() {
    }

    public static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(NodeSettings.common(ADMIN_PORT));
        all.addAll(RedisSettings.all());
        all.addAll(KafkaSettings.all());
        all.addAll(List.of(DEVICE_HOST, DEVICE_PORT, GRPC_HOST, GRPC_PORT));
        return List.copyOf(all);
    }
}
