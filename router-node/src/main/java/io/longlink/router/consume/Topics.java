package io.longlink.router.consume;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the command and receipt topics at start when they are missing; existing ones are left alone. */
public final class Topics {
    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    private Topics() {
    }

    /**
     * @param partitions        topic name -> partitions to create it with
     * @param replicationFactor -1 = the broker's default
     */
    public static void ensure(String bootstrap, Map<String, Integer> partitions, int replicationFactor, int timeoutMs)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs))) {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            Optional<Short> rf = replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
            partitions.forEach((name, n) -> {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, Optional.of(n), rf));
                }
            });
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                missing.forEach(t -> log.info("topic created name={} partitions={} replication_factor={}", t.name(),
                        t.numPartitions(), replicationFactor < 0 ? "broker default" : replicationFactor));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topics " + missing.stream().map(NewTopic::name).toList()
                            + " (router.command-partitions, router.topic-replication-factor): " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
        }
    }
}
