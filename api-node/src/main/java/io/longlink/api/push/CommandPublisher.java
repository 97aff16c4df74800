package io.longlink.api.push;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.command.PushCommand;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes push commands to the command topic with acks=all and the idempotent producer, so a
 * command counts as accepted only when every in-sync replica has it, and producer retries never
 * write it twice. The callback hears the broker's acknowledgement.
 */
public final class CommandPublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public CommandPublisher(String bootstrap, String topic, int timeoutMs, int lingerMs, String clientId) {
        this.topic = requireNonNull(topic, "topic");
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, requireNonNull(bootstrap, "bootstrap"));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // a short linger batches concurrent pushes into one produce request per partition: at a few
        // thousand pushes/s spread over many partitions, 2 ms left most requests carrying one record
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(500, timeoutMs / 2));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        // send() may block on metadata or a full buffer: keep that shorter than the call's budget
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(timeoutMs, 2_000));
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Appends the command to the producer's batch for its partition; {@code acked} hears the broker's
     * acknowledgement or the failure, also when the producer refuses the record at once. Records with
     * the same key are acknowledged in the order they were sent.
     */
    public void send(String key, PushCommand command, Callback acked) {
        try {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), command.toByteArray()),
                    acked);
        } catch (RuntimeException e) {
            acked.onCompletion(null, e);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
