package io.longlink.common.testing;

import static java.util.Objects.requireNonNull;

import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import io.longlink.common.grpc.InternalTls;
import io.longlink.common.kafka.KafkaSettings;
import io.longlink.common.lifecycle.BaseNode;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.common.redis.RedisSettings;
import io.longlink.testsupport.KafkaCluster;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;

/**
 * The settings of a node that a test starts in its own JVM, handed to the node as its environment
 * (no file), as the node harnesses of every role build them: the shared servers, then the role's own.
 */
public final class NodeEnv {
    private final Map<Setting<?>, Object> values = new LinkedHashMap<>();

    public NodeEnv() {
        // test nodes call each other in plaintext unless a test turns internal TLS on (TestPki)
        set(InternalTls.ENABLED, false);
    }

    public NodeEnv set(Setting<?> setting, Object value) {
        values.put(requireNonNull(setting, "setting"), requireNonNull(value, "value"));
        return this;
    }

    public NodeEnv setAll(Map<Setting<?>, ?> more) {
        more.forEach(this::set);
        return this;
    }

    /** The test's ZooKeeper, in a namespace of its own so that clusters of different tests never meet. */
    public NodeEnv zooKeeper(TestingServer zk, String namespace) {
        return set(NodeSettings.ZK_CONNECT, zk.getConnectString()).set(NodeSettings.ZK_NAMESPACE, namespace);
    }

    /** @param uris one URI, or the comma-separated seeds of a Redis Cluster */
    public NodeEnv redis(String uris, boolean cluster) {
        return set(RedisSettings.URIS, uris).set(RedisSettings.CLUSTER, cluster);
    }

    public NodeEnv kafka(KafkaCluster kafka, String commandTopic, String receiptTopic) {
        return set(KafkaSettings.BOOTSTRAP, kafka.bootstrapServers())
                .set(KafkaSettings.COMMAND_TOPIC, commandTopic)
                .set(KafkaSettings.RECEIPT_TOPIC, receiptTopic);
    }

    /** The node's configuration: these values as environment variables, every other setting at its default. */
    public Config load(List<Setting<?>> settings) throws ConfigException {
        Map<String, String> env = new HashMap<>();
        values.forEach((s, v) -> env.put(s.envName(), String.valueOf(v)));
        return Config.load(null, env, settings);
    }

    /** Starts {@code node}, and closes it when starting fails, so that no port or thread outlives the test. */
    public static <N extends BaseNode> N started(N node) throws Exception {
        try {
            node.start();
        } catch (Exception e) {
            node.close();
            throw e;
        }
        return node;
    }
}
