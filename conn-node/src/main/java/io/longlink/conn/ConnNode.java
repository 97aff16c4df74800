package io.longlink.conn;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.longlink.common.config.Config;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;

/** The conn-node: holds device connections and pushes to them. */
public final class ConnNode extends BaseNode {
    public static final String ROLE = "conn";

    private RedisStore redis;
    private Server grpc;

    public ConnNode(Config config) {
        super(ROLE, config, ConnSettings.ADMIN_PORT);
    }

    @Override
    protected void startRole(CuratorFramework zk) throws IOException {
        redis = RedisStore.open(config);
        InetSocketAddress bind = new InetSocketAddress(config.get(ConnSettings.GRPC_HOST), config.get(ConnSettings.GRPC_PORT));
        try {
            grpc = NettyServerBuilder.forAddress(bind).build().start();
        } catch (IOException e) {
            throw new IOException("conn.grpc.port: cannot listen on " + bind + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    protected Map<String, String> endpoints() {
        return Map.of("grpc", config.get(NodeSettings.ADVERTISE_HOST) + ":" + grpc.getPort());
    }

    @Override
    protected void stopRole() throws InterruptedException {
        if (grpc != null) {
            grpc.shutdown();
            if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
                grpc.shutdownNow();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }
}
