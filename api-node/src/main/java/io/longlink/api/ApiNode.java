package io.longlink.api;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.longlink.common.config.Config;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;

/** The api-node: the public gRPC API that business systems call. Stateless; run as many as needed. */
public final class ApiNode extends BaseNode {
    public static final String ROLE = "api";

    private final HealthStatusManager health = new HealthStatusManager();
    private RedisStore redis;
    private Server grpc;

    public ApiNode(Config config) {
        super(ROLE, config, ApiSettings.ADMIN_PORT);
    }

    @Override
    protected void startRole(CuratorFramework zk) throws IOException {
        KafkaSettings.checkReachable(config.get(KafkaSettings.BOOTSTRAP), config.get(KafkaSettings.START_TIMEOUT_MS));
        redis = RedisStore.open(config);
        InetSocketAddress bind = new InetSocketAddress(config.get(ApiSettings.GRPC_HOST), config.get(ApiSettings.GRPC_PORT));
        try {
            grpc = NettyServerBuilder.forAddress(bind).addService(health.getHealthService()).build().start();
        } catch (IOException e) {
            throw new IOException("api.grpc.port: cannot listen on " + bind + " (" + e.getMessage() + ")", e);
        }
    }

    /** The port the public API listens on (the configured one, or the one the OS chose for 0). */
    public int grpcPort() {
        return grpc.getPort();
    }

    @Override
    protected Map<String, String> endpoints() {
        return Map.of("grpc", config.get(NodeSettings.ADVERTISE_HOST) + ":" + grpcPort());
    }

    @Override
    protected void stopAccepting() {
        health.enterTerminalState();
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
