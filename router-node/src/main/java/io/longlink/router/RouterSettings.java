package io.longlink.router;

import io.longlink.common.config.Setting;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisSettings;
import java.util.ArrayList;
import java.util.List;

/** Every router-node setting. */
public final class RouterSettings {
    public static final Setting<Integer> ADMIN_PORT = Setting.port("admin.port", 9110,
            "Admin HTTP port (/metrics, /healthz, /readyz)");
    public static final Setting<String> CONSUMER_GROUP = Setting.string("router.consumer-group", "longlink-routers",
            "Kafka consumer group shared by all router-nodes");

    private RouterSettings() {
    }

    public static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(NodeSettings.common(ADMIN_PORT));
        all.addAll(RedisSettings.all());
        all.addAll(KafkaSettings.all());
        all.add(CONSUMER_GROUP);
        return List.copyOf(all);
    }
}
