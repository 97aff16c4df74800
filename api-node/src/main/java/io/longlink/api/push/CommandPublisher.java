package io.longlink.api.push;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.command.PushCommand;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes push commands to the command topic with acks=all and the idempotent producer, so a
 * command counts as accepted only when every in-sync replica has it, and producer retries never
 * write it twice. The callback hears the broker's acknowledgement.
 *
 * <p>{@link #send} never blocks, whatever Kafka does: the producer's {@code max.block.ms} is 0, so a
 * record that cannot be appended at once (the topic's metadata is missing, the buffer is full) fails
 * at once, and one that waits for a broker fails after {@code delivery.timeout.ms}; either way the
 * caller answers UNAVAILABLE. As a missing metadata would fail every push, the topic's metadata is
 * fetched before the node serves ({@link #awaitMetadata}) and asked for once a minute after that,
 * which keeps the producer from forgetting it while no push comes.
 */
public final class CommandPublisher implements AutoCloseable {
    private static final long METADATA_TOUCH_SECONDS = 60;
    private static final long METADATA_POLL_MS = 50;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final ScheduledExecutorService metadataTouch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "api-kafka-metadata");
        t.setDaemon(true);
        return t;
    });

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
        // send() runs on the API's call threads: never wait in it for metadata or buffer space
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        metadataTouch.scheduleWithFixedDelay(this::touchMetadata, METADATA_TOUCH_SECONDS, METADATA_TOUCH_SECONDS,
                TimeUnit.SECONDS);
    }

    /**
     * Waits until the producer holds the topic's metadata, which sends need; fails after
     * {@code timeoutMs} (at start, where waiting is the point).
     */
    public void awaitMetadata(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                producer.partitionsFor(topic);
                return;
            } catch (TimeoutException e) {
                // the failed look-up asked the producer for the metadata: it comes in the background
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("kafka.command-topic: no metadata for '" + topic + "' within "
                            + timeoutMs + " ms (expected: an existing topic, or a broker that creates it)", e);
                }
                TimeUnit.MILLISECONDS.sleep(METADATA_POLL_MS);
            }
        }
    }

    /** Never blocks (max.block.ms 0): keeps the topic among those the producer refreshes, or asks for it again. */
    private void touchMetadata() {
        try {
            producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            // missing while Kafka is away: the look-up asked for it, nothing else to do
        }
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
        metadataTouch.shutdownNow();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
