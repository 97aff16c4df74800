package io.longlink.router.receipt;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes STORED (when {@code router.stored-receipts} is on) and DROPPED receipts (record key = app
 * key) without waiting for them: receipts inform business systems, they are not part of delivery, so
 * a slow receipts topic never holds a batch. The producer's buffer is the bound; when it is full, or
 * before the topic's metadata arrived, receipts are dropped and logged at debug level.
 */
public final class ReceiptWriter implements Receipts, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReceiptWriter.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String nodeId;
    private final boolean storedOn;

    public ReceiptWriter(String bootstrap, String topic, String nodeId, boolean storedOn) {
        this.topic = requireNonNull(topic, "topic");
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.storedOn = storedOn;
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "longlink-router-receipts-" + nodeId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 16L * 1024 * 1024);
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        // sends never wait (max.block.ms 0), so ask for the topic's metadata now, before the first receipt
        try {
            producer.partitionsFor(topic);
        } catch (RuntimeException metadataNotYetThere) {
            log.debug("receipt topic metadata requested topic={}", topic);
        }
    }

    @Override
    public void stored(String appKey, String deviceId, long messageId, long atMs) {
        if (storedOn) {
            send(appKey, deviceId, messageId, ReceiptKind.STORED, atMs);
        }
    }

    @Override
    public void dropped(String appKey, String deviceId, long messageId, long atMs) {
        send(appKey, deviceId, messageId, ReceiptKind.DROPPED, atMs);
    }

    private void send(String appKey, String deviceId, long messageId, ReceiptKind kind, long atMs) {
        Receipt r = Receipt.newBuilder().setMessageId(messageId).setAppKey(appKey).setDeviceId(deviceId)
                .setKind(kind).setAtMs(atMs).setNodeId(nodeId).build();
        try {
            producer.send(new ProducerRecord<>(topic, appKey.getBytes(StandardCharsets.UTF_8), r.toByteArray()),
                    (meta, e) -> {
                        if (e != null) {
                            log.debug("receipt not written message_id={} cause={}", Long.toUnsignedString(messageId), e.toString());
                        }
                    });
        } catch (RuntimeException e) {
            log.debug("receipt dropped message_id={} cause={}", Long.toUnsignedString(messageId), e.toString());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
