package io.longlink.router;

import io.longlink.common.config.Config;
import io.longlink.common.discovery.Membership;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.redis.RedisStore;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;

/** The router-node: consumes push commands and forwards them to the conn-nodes that hold the devices. */
public final class RouterNode extends BaseNode {
    public static final String ROLE = "router";

    private RedisStore redis;
    private Membership connNodes;

    public RouterNode(Config config) {
        super(ROLE, config, RouterSettings.ADMIN_PORT);
    }

    @Override
    protected void startRole(CuratorFramework zk) {
        KafkaSettings.checkReachable(config.get(KafkaSettings.BOOTSTRAP), config.get(KafkaSettings.START_TIMEOUT_MS));
        redis = RedisStore.open(config);
        connNodes = new Membership(zk, "conn");
        connNodes.start();
    }

    @Override
    protected Map<String, String> endpoints() {
        return Map.of();
    }

    @Override
    protected void stopRole() {
        if (connNodes != null) {
            connNodes.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

}
