package io.longlink.api.receipt;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.longlink.common.admin.Metrics;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves StreamReceipts from one Kafka consumer per api-node, whatever the number of callers: the
 * consumer (no group, every partition assigned, starting at the end) runs on one thread that starts
 * with the first caller, and hands each receipt to the callers of its app (record key = app key).
 * New partitions are picked up every {@value #PARTITION_REFRESH_MS} ms, from their beginning.
 */
public final class ReceiptHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReceiptHub.class);
    private static final long PARTITION_REFRESH_MS = 30_000;

    private final String bootstrap;
    private final String topic;
    private final int maxStreams;
    private final int maxQueued;
    private final Map<String, List<ReceiptSubscriber>> byApp = new ConcurrentHashMap<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final Counter unreadable;
    private final Object startLock = new Object();
    /** Guarded by startLock. */
    private Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean closed;

    public ReceiptHub(String bootstrap, String topic, int maxStreams, int maxQueued, CollectorRegistry metrics) {
        this.bootstrap = requireNonNull(bootstrap, "bootstrap");
        this.topic = requireNonNull(topic, "topic");
        this.maxStreams = maxStreams;
        this.maxQueued = maxQueued;
        this.unreadable = Counter.build("longlink_api_receipts_unreadable_total",
                "Receipt records that did not parse and were skipped").register(metrics);
        Metrics.gauge(metrics, "longlink_api_receipt_streams", "Open StreamReceipts calls", streams::get);
    }

    public void subscribe(String appKey, List<ReceiptKind> kinds, ServerCallStreamObserver<Receipt> out) {
        if (closed) {
            throw Refusal.unavailable("receipts: this api-node is shutting down");
        }
        if (streams.incrementAndGet() > maxStreams) {
            streams.decrementAndGet();
            throw Refusal.exhausted("receipts: " + maxStreams + " streams open on this api-node"
                    + " (expected: at most api.receipt-streams-max); retry on another api-node");
        }
        ReceiptSubscriber sub = new ReceiptSubscriber(appKey, new HashSet<>(kinds), out, maxQueued);
        out.setOnReadyHandler(sub::drain);
        out.setOnCancelHandler(() -> {
            sub.cancelled();
            remove(sub);
        });
        byApp.computeIfAbsent(appKey, k -> new CopyOnWriteArrayList<>()).add(sub);
        ensureStarted();
    }

    private void remove(ReceiptSubscriber sub) {
        List<ReceiptSubscriber> list = byApp.get(sub.appKey());
        if (list != null && list.remove(sub)) {
            streams.decrementAndGet();
        }
    }

    private void ensureStarted() {
        synchronized (startLock) {
            if (thread != null || closed) {
                return;
            }
            thread = new Thread(this::run, "receipt-hub");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "longlink-api-receipts");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            if (closed) {
                return;
            }
            Set<TopicPartition> assigned = new HashSet<>();
            long nextRefresh = 0;
            while (!closed) {
                long now = System.currentTimeMillis();
                if (now >= nextRefresh) {
                    refreshPartitions(c, assigned);
                    nextRefresh = now + PARTITION_REFRESH_MS;
                }
                if (assigned.isEmpty()) {
                    c.poll(Duration.ofMillis(200));
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(500))) {
                    dispatch(rec);
                }
                sweep();
            }
        } catch (WakeupException e) {
            // close() woke the consumer up
        } catch (RuntimeException e) {
            log.error("receipt stream consumer stopped; open streams end with UNAVAILABLE", e);
        } finally {
            endAll(Status.UNAVAILABLE.withDescription("receipts: the api-node stopped streaming; call again"));
            synchronized (startLock) {
                thread = null;
            }
        }
    }

    private void refreshPartitions(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned) {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos == null || infos.isEmpty()) {
            return;
        }
        List<TopicPartition> added = new ArrayList<>();
        for (PartitionInfo p : infos) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            if (!assigned.contains(tp)) {
                added.add(tp);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        boolean first = assigned.isEmpty();
        assigned.addAll(added);
        c.assign(assigned);
        if (first) {
            // a live tail: what was written before the first caller is not replayed
            c.seekToEnd(added);
            added.forEach(c::position);
        } else {
            c.seekToBeginning(added);
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> rec) {
        if (rec.key() == null || rec.value() == null) {
            unreadable.inc();
            return;
        }
        List<ReceiptSubscriber> subs = byApp.get(new String(rec.key(), StandardCharsets.UTF_8));
        if (subs == null || subs.isEmpty()) {
            return;
        }
        Receipt receipt;
        try {
            receipt = Receipt.parseFrom(rec.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            unreadable.inc();
            return;
        }
        for (ReceiptSubscriber s : subs) {
            if (s.wants(receipt.getKind()) && receipt.getAppKey().equals(s.appKey())) {
                s.offer(receipt);
            }
        }
    }

    /** Forgets callers that were ended (too slow); cancelled ones remove themselves. */
    private void sweep() {
        for (List<ReceiptSubscriber> subs : byApp.values()) {
            for (ReceiptSubscriber s : subs) {
                if (s.isDone()) {
                    remove(s);
                }
            }
        }
    }

    private void endAll(Status status) {
        for (List<ReceiptSubscriber> subs : byApp.values()) {
            for (ReceiptSubscriber s : subs) {
                s.end(status);
                remove(s);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t;
        synchronized (startLock) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        endAll(Status.UNAVAILABLE.withDescription("receipts: the api-node is shutting down; call another one"));
    }
}
