package io.longlink.common.kafka;

import io.longlink.common.config.Setting;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Kafka settings shared by the roles that use Kafka, and a bounded start-up reachability check. */
public final class KafkaSettings {
    public static final Setting<String> BOOTSTRAP = Setting.string("kafka.bootstrap-servers", "127.0.0.1:9092",
            "Kafka bootstrap servers (host:port[,host:port...])");
    public static final Setting<String> COMMAND_TOPIC = Setting.string("kafka.command-topic", "longlink.commands",
            "Topic of push commands from api-nodes to router-nodes");
    public static final Setting<String> RECEIPT_TOPIC = Setting.string("kafka.receipt-topic", "longlink.receipts",
            "Topic of delivery receipts that business systems may consume");
    public static final Setting<Integer> START_TIMEOUT_MS = Setting.intRange("kafka.start-timeout-ms", 15_000, 500,
            300_000, "How long start-up waits for the Kafka cluster to answer");

    private KafkaSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(BOOTSTRAP, COMMAND_TOPIC, RECEIPT_TOPIC, START_TIMEOUT_MS);
    }

    /**
     * Fails within {@code timeoutMs} with the bootstrap address when Kafka does not answer.
     */
    public static void checkReachable(String bootstrap, int timeoutMs) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs))) {
            admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within " + timeoutMs
                    + " ms (kafka.bootstrap-servers): " + e.getClass().getSimpleName(), e);
        }
    }
}
