package io.longlink.api;

import io.longlink.common.config.Setting;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisSettings;
import java.util.ArrayList;
import java.util.List;

/** Every api-node setting. */
public final class ApiSettings {
    public static final Setting<Integer> ADMIN_PORT = Setting.port("admin.port", 9100,
            "Admin HTTP port (/metrics, /healthz, /readyz)");
    public static final Setting<String> GRPC_HOST = Setting.string("api.grpc.host", "127.0.0.1",
            "Bind address of the public gRPC API");
    public static final Setting<Integer> GRPC_PORT = Setting.port("api.grpc.port", 8400,
            "Port of the public gRPC API");

    private ApiSettings() {
    }

    public static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(NodeSettings.common(ADMIN_PORT));
        all.addAll(RedisSettings.all());
        all.addAll(KafkaSettings.all());
        all.add(GRPC_HOST);
        all.add(GRPC_PORT);
        return List.copyOf(all);
    }
}
