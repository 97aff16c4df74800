package io.longlink.testsupport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node KRaft Kafka (combined broker and controller) running in the test JVM. Its broker
 * may be stopped and started again on the same port ({@link #stop}, {@link #restart}): an outage
 * of the only broker, as clients see it.
 */
public final class KafkaCluster implements AutoCloseable {
    private final KafkaClusterTestKit kit;

    private KafkaCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    public static KafkaCluster start() {
        try {
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("num.partitions", "4")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new KafkaCluster(kit);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start in-JVM Kafka", e);
        }
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /** Creates topics if missing and waits until they exist. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = kit.admin()) {
            List<NewTopic> topics = java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
            try {
                admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + String.join(",", names), e);
        }
    }

    /** Shuts the broker down, as an operator would, keeping its port, logs and the controller for {@link #restart}. */
    public void stop() {
        for (BrokerServer broker : kit.brokers().values()) {
            broker.shutdown();
            broker.awaitShutdown();
        }
    }

    /** Starts the broker again on the same port, after {@link #stop}; returns once it serves. */
    public void restart() {
        try {
            kit.brokers().values().forEach(BrokerServer::startup);
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot restart the in-JVM Kafka broker", e);
        }
    }

    public Admin admin() {
        return kit.admin(Map.of());
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
