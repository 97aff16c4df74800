package io.longlink.common.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Lettuce connection to Redis, standalone or Cluster, behind the command interface both
 * share. Keys are UTF-8 strings, values raw bytes. Lettuce multiplexes every caller onto this one
 * connection and pipelines what is in flight; batch with {@link #flushBatch} where many commands
 * are issued at once.
 */
public final class RedisStore implements AutoCloseable {
    public static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final AutoCloseable client;
    private final ClientResources resources;
    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> async;
    private final boolean cluster;
    /** host:port of a standalone Redis, the seed URIs of a Cluster. */
    private final String address;

    private RedisStore(AutoCloseable client, ClientResources resources, StatefulConnection<String, byte[]> connection,
                       RedisClusterAsyncCommands<String, byte[]> async, boolean cluster, String address) {
        this.client = client;
        this.resources = resources;
        this.connection = connection;
        this.async = async;
        this.cluster = cluster;
        this.address = address;
    }

    /**
     * Opens the node's Redis and checks that it keeps what it acknowledges ({@link RedisDurability}).
     *
     * @throws ConfigException when {@code redis.require-durable} is true and a Redis setting is unsafe
     */
    public static RedisStore open(Config config) throws ConfigException {
        RedisStore store = open(config.get(RedisSettings.URIS), config.get(RedisSettings.CLUSTER),
                config.get(RedisSettings.TIMEOUT_MS));
        try {
            RedisDurability.check(store, config.get(RedisSettings.REQUIRE_DURABLE), config.get(RedisSettings.TIMEOUT_MS));
        } catch (ConfigException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /**
     * Connects and checks with PING, failing with the URI and the cause instead of hanging.
     *
     * @throws IllegalStateException when Redis cannot be reached within {@code timeoutMs}
     */
    public static RedisStore open(String uris, boolean cluster, int timeoutMs) {
        requireNonNull(uris, "uris");
        Duration timeout = Duration.ofMillis(timeoutMs);
        List<RedisURI> parsed = Arrays.stream(uris.split(",")).map(String::trim).map(u -> {
            RedisURI uri = RedisURI.create(u);
            uri.setTimeout(timeout);
            return uri;
        }).toList();
        // reconnect at least once a second (Lettuce's default backs off to 30 s), so that calls work again
        // within a second of Redis coming back after an outage
        ClientResources resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        try {
            if (cluster) {
                RedisClusterClient c = RedisClusterClient.create(resources, parsed);
                c.setOptions(ClusterClientOptions.builder()
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
                try {
                    StatefulRedisClusterConnection<String, byte[]> conn = c.connect(CODEC);
                    conn.setTimeout(timeout);
                    // with REJECT_COMMANDS Lettuce refuses a command for a node whose connection is
                    // still opening, so open every node's connection now rather than on first use
                    for (RedisClusterNode node : conn.getPartitions()) {
                        conn.getConnection(node.getUri().getHost(), node.getUri().getPort());
                    }
                    RedisStore store = new RedisStore(c::shutdown, resources, conn, conn.async(), true, uris);
                    store.ping(timeoutMs);
                    return store;
                } catch (RuntimeException e) {
                    c.shutdown();
                    throw e;
                }
            }
            if (parsed.size() != 1) {
                throw new IllegalStateException("redis.uris: '" + uris + "' (expected: one URI unless redis.cluster=true)");
            }
            RedisClient c = RedisClient.create(resources, parsed.get(0));
            c.setOptions(ClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            try {
                StatefulRedisConnection<String, byte[]> conn = c.connect(CODEC);
                conn.setTimeout(timeout);
                RedisStore store = new RedisStore(c::shutdown, resources, conn, conn.async(), false,
                        parsed.get(0).getHost() + ":" + parsed.get(0).getPort());
                store.ping(timeoutMs);
                return store;
            } catch (RuntimeException e) {
                c.shutdown();
                throw e;
            }
        } catch (RuntimeException e) {
            resources.shutdown();
            if (e instanceof IllegalStateException && e.getMessage() != null && e.getMessage().startsWith("redis.uris")) {
                throw e;
            }
            throw new IllegalStateException("Redis at " + uris + " is unreachable (redis.uris): " + e.getMessage(), e);
        }
    }

    public RedisClusterAsyncCommands<String, byte[]> async() {
        return async;
    }

    public StatefulConnection<String, byte[]> connection() {
        return connection;
    }

    public boolean isCluster() {
        return cluster;
    }

    /** False while the connection is down (Lettuce reconnects by itself; commands meanwhile are refused). */
    public boolean isConnected() {
        return connection.isOpen();
    }


    /** Stops auto-flush so that the next commands go out in one write; pair with {@link #flushBatch}. */
    public void startBatch() {
        connection.setAutoFlushCommands(false);
    }

    public void flushBatch() {
        connection.flushCommands();
        connection.setAutoFlushCommands(true);
    }

    /**
     * CONFIG GET of {@code parameters} on every Redis node (each node of a Cluster), by node address.
     * A node that refuses or does not answer fails the whole call.
     */
    Map<String, Map<String, String>> configGet(int timeoutMs, String... parameters) throws Exception {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (connection instanceof StatefulRedisClusterConnection<String, byte[]> c) {
            for (RedisClusterNode node : c.getPartitions()) {
                RedisURI uri = node.getUri();
                out.put(uri.getHost() + ":" + uri.getPort(), c.getConnection(uri.getHost(), uri.getPort()).async()
                        .configGet(parameters).get(timeoutMs, TimeUnit.MILLISECONDS));
            }
        } else if (connection instanceof StatefulRedisConnection<String, byte[]> c) {
            out.put(address, c.async().configGet(parameters).get(timeoutMs, TimeUnit.MILLISECONDS));
        }
        return out;
    }

    private void ping(int timeoutMs) {
        try {
            async.ping().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no PING answer within " + timeoutMs + " ms: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
            client.close();
        } catch (Exception ignored) {
            // closing a broken connection has nothing left to report
        } finally {
            resources.shutdown();
        }
    }
}
