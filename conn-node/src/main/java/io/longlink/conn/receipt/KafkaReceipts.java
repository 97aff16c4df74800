package io.longlink.conn.receipt;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receipts (ACKED, EXPIRED, REVOKED) to the receipts topic (key = app key) through an idempotent,
 * batching producer.
 *
 * <p>Kafka is not needed to serve devices: callers only offer to a bounded queue, and one sender
 * thread feeds the producer. {@code KafkaProducer.send} may block on missing metadata or a full
 * buffer (up to {@code max.block.ms}); that blocks only the sender thread, the queue fills and
 * further receipts are dropped and counted. Receipts are informational (the ACK itself is already
 * recorded in Redis), so dropping them under a Kafka outage is the intended trade.
 */
public final class KafkaReceipts implements ReceiptSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaReceipts.class);

    private final String topic;
    private final String nodeId;
    private final ConnMetrics metrics;
    private final BlockingQueue<Receipt> queue;
    private final Producer<String, byte[]> producer;
    private final Thread sender;
    private volatile boolean closed;

    public KafkaReceipts(String bootstrap, String topic, int lingerMs, int maxBlockMs, int queueCapacity,
                         String nodeId, ConnMetrics metrics) {
        this.topic = requireNonNull(topic, "topic");
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.metrics = requireNonNull(metrics, "metrics");
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "longlink-conn-" + nodeId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs),
                new StringSerializer(), new ByteArraySerializer());
        this.sender = new Thread(this::run, "conn-receipts");
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void receipt(ReceiptKind kind, String appKey, String deviceId, long messageId) {
        Receipt r = Receipt.newBuilder().setMessageId(messageId).setAppKey(appKey).setDeviceId(deviceId)
                .setKind(kind).setAtMs(System.currentTimeMillis()).setNodeId(nodeId).build();
        if (closed || !queue.offer(r)) {
            metrics.receiptsDropped.inc();
        }
    }

    private void run() {
        while (!closed || !queue.isEmpty()) {
            Receipt r;
            try {
                r = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closed) {
                    continue;
                }
                return;
            }
            if (r == null) {
                continue;
            }
            try {
                producer.send(new ProducerRecord<>(topic, r.getAppKey(), r.toByteArray()), (md, err) -> {
                    if (err == null) {
                        metrics.receiptsSent.inc();
                    } else {
                        metrics.receiptsFailed.inc();
                        log.debug("receipt not written topic={} error=\"{}\"", topic, err.toString());
                    }
                });
            } catch (RuntimeException e) {
                // metadata or buffer space not available within max.block.ms: Kafka is away
                metrics.receiptsDropped.inc();
                log.debug("receipt dropped topic={} error=\"{}\"", topic, e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
