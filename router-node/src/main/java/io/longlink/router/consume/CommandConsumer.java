package io.longlink.router.consume;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.proto.command.PushCommand;
import io.longlink.router.batch.BatchRouter;
import io.longlink.router.batch.CommandCheck;
import io.longlink.common.log.LogThrottle;
import io.longlink.router.batch.RouterMetrics;
import io.longlink.common.redis.LuaScript;
import io.longlink.router.store.RoutingStore;
import io.prometheus.client.Histogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's consumer thread: poll a batch of commands, route it, commit, repeat.
 *
 * <p><b>Offsets.</b> Auto-commit is off. A batch's offsets are committed only after
 * {@link BatchRouter#route} returned, i.e. after every message of the batch is in its inboxes or
 * broadcast log, or was handed to its conn-node. Commits are asynchronous (the next batch does not
 * wait for their round trip) and at most one per {@code router.commit-interval-ms}: each claims the
 * offsets after the last batch handled by then, also when no new record arrived since. The offsets
 * handled so far are committed synchronously when partitions are revoked (rebalance, inside poll)
 * and when the consumer closes. A router that
 * crashes before a commit landed leaves those batches to whichever router takes its partitions
 * next, which routes them again: at-least-once, and devices drop the duplicate by message id.
 *
 * <p><b>Joining.</b> The thread joins the group only once the router is registered in ZooKeeper
 * ({@link #start}), and {@link #assigned} tells when the first assignment (maybe empty) came: the
 * router's readiness.
 *
 * <p><b>Failures.</b> When Redis fails mid-batch nothing is committed: the consumer seeks back to
 * the batch's first offsets and pauses its partitions for a backoff (doubling up to
 * {@code router.retry-backoff-max-ms}), still
 * polling so that it keeps its group membership, then handles the same records again. Partitions a
 * rebalance assigns during the backoff are paused too, and any record a poll still returns then is
 * put back (seek to it, pause its partition): a record read is either handled or read again, never
 * skipped. Unreadable records are counted and skipped; they can never become readable.
 */
public final class CommandConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandConsumer.class);
    static final long LATE_BATCH_MS = 200;
    private static final long LAG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final BatchRouter router;
    private final RoutingStore store;
    private final RouterMetrics metrics;
    private final long firstBackoffMs;
    private final long maxBackoffMs;
    private final long redisTimeoutMs;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Offsets after the last handled record of each partition: what a commit may claim. */
    private final Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
    /** Some batch was handled since the last commit. */
    private boolean uncommitted;
    private final long commitIntervalNanos;
    private long nextCommitNanos;
    private volatile boolean running = true;
    /** While not 0, the backoff after a failed batch runs until then (epoch ms); consumer thread only. */
    private long pausedUntil;
    private volatile boolean assigned;
    /** Set before the thread starts. */
    private BooleanSupplier mayJoin;
    private final LogThrottle lateBatches = new LogThrottle();
    private long nextLagNanos = System.nanoTime();

    /**
     * The numbers the consumer works with; see RouterSettings for each.
     *
     * @param sessionTimeoutMs how long the group waits for a silent router (killed, paused) before
     *                         giving its partitions to another; heartbeats go out every third of it
     */
    public record Tuning(int maxPollRecords, long firstBackoffMs, long maxBackoffMs, long redisTimeoutMs,
                         long commitIntervalMs, int sessionTimeoutMs) {
    }

    public CommandConsumer(String bootstrap, String group, String topic, String clientId, BatchRouter router,
                           RoutingStore store, RouterMetrics metrics, Tuning tuning) {
        this.topic = requireNonNull(topic, "topic");
        this.router = requireNonNull(router, "router");
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        this.firstBackoffMs = tuning.firstBackoffMs();
        this.maxBackoffMs = Math.max(tuning.firstBackoffMs(), tuning.maxBackoffMs());
        this.redisTimeoutMs = tuning.redisTimeoutMs();
        this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(tuning.commitIntervalMs());
        this.nextCommitNanos = System.nanoTime(); // nanoTime may be negative: 0 is not "long ago"
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group starts from the oldest command: skipping would lose accepted pushes
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, tuning.maxPollRecords());
        // a killed or frozen router's partitions move after this, not after the client's 45 s default
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, tuning.sessionTimeoutMs());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, tuning.sessionTimeoutMs() / 3));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "router-consumer");
    }

    /**
     * Starts the consumer thread, which joins the group once {@code mayJoin} says so (this router is
     * registered in ZooKeeper).
     */
    public void start(BooleanSupplier mayJoin) {
        this.mayJoin = requireNonNull(mayJoin, "mayJoin");
        thread.start();
    }

    /** The first partition assignment (maybe empty) has been received. */
    public boolean assigned() {
        return assigned;
    }

    private void run() {
        long backoffMs = firstBackoffMs;
        try {
            if (!awaitMayJoin()) {
                return;
            }
            consumer.subscribe(List.of(topic), new Rebalance());
            while (running) {
                measureLag();
                if (pausedUntil != 0) {
                    long wait = pausedUntil - System.currentTimeMillis();
                    if (wait > 0) {
                        putBack(consumer.poll(Duration.ofMillis(Math.min(wait, 200))));
                        commitIfDue(); // what earlier batches handled
                        continue;
                    }
                    consumer.resume(consumer.paused());
                    pausedUntil = 0;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    commitIfDue();
                    continue;
                }
                if (handle(records)) {
                    handled(records);
                    commitIfDue();
                    backoffMs = firstBackoffMs;
                } else {
                    rewind(records);
                    pausedUntil = System.currentTimeMillis() + backoffMs;
                    backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
                }
            }
        } catch (WakeupException e) {
            // close() gave up waiting for the current batch
        } catch (RuntimeException e) {
            log.error("command consumer stopped unexpectedly; uncommitted commands go to other routers", e);
        } finally {
            commitHandled(List.copyOf(handled.keySet()));
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                log.warn("command consumer close failed", e);
            }
            stopped.countDown();
        }
    }

    /**
     * At most once a second, the records of this router's partitions past its position, from the end
     * offsets the consumer's fetches brought (no request of its own); the batch in hand is not counted.
     */
    private void measureLag() {
        long now = System.nanoTime();
        if (now - nextLagNanos < 0) {
            return;
        }
        nextLagNanos = now + LAG_EVERY_NANOS;
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(tp);
            if (partitionLag.isPresent()) {
                lag += partitionLag.getAsLong();
            }
        }
        metrics.consumerLag.set(lag);
    }

    /** Waits until the group may be joined; false when closed first. */
    private boolean awaitMayJoin() {
        while (running) {
            if (mayJoin.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return false;
    }

    /** True when the batch is fully handled and may be committed. */
    private boolean handle(ConsumerRecords<byte[], byte[]> records) {
        List<PushCommand> commands = new ArrayList<>(records.count());
        long oldest = Long.MAX_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            oldest = Math.min(oldest, r.timestamp());
            PushCommand c = decode(r);
            if (c != null) {
                commands.add(c);
            }
        }
        lateBatch(oldest, records.count());
        Histogram.Timer timer = metrics.batchSeconds.startTimer();
        try {
            router.route(commands);
            metrics.batches.labels("committed").inc();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        } catch (Exception e) {
            metrics.batches.labels("retried").inc();
            log.warn("batch not routed; it will be handled again commands={} cause=\"{}\"", commands.size(), e.toString());
            // a restarted Redis has lost its script cache: reload and route again now, not after a backoff
            return LuaScript.isNoScript(e) && reloadScripts() && routeAgain(commands);
        } finally {
            timer.observeDuration();
        }
    }

    /**
     * Logs, at most once a second, a batch whose oldest command was produced {@value #LATE_BATCH_MS} ms
     * or more before this poll handed it over: the time it spent in the producer, the broker and
     * behind this router's earlier batches, before routing began.
     */
    private void lateBatch(long oldestTimestampMs, int records) {
        long ageMs = System.currentTimeMillis() - oldestTimestampMs;
        if (oldestTimestampMs <= 0 || ageMs < LATE_BATCH_MS) { // no timestamp: nothing to tell
            return;
        }
        long held = lateBatches.pass();
        if (held >= 0) {
            log.info("late batch oldest_command_age_ms={} records={} late_batches_not_logged={}", ageMs, records, held);
        }
    }

    private PushCommand decode(ConsumerRecord<byte[], byte[]> r) {
        String problem;
        if (r.value() == null) {
            problem = "empty value";
        } else {
            try {
                PushCommand c = PushCommand.parseFrom(r.value());
                problem = CommandCheck.problem(c);
                if (problem == null) {
                    return c;
                }
            } catch (InvalidProtocolBufferException e) {
                problem = "not a PushCommand (" + e.getMessage() + ")";
            }
        }
        metrics.commands.labels("unreadable").inc();
        log.warn("unreadable command skipped partition={} offset={} problem=\"{}\"", r.partition(), r.offset(), problem);
        return null;
    }

    private boolean reloadScripts() {
        try {
            store.loadScripts(redisTimeoutMs);
            log.info("Redis scripts reloaded");
            return true;
        } catch (Exception e) {
            log.warn("Redis scripts not reloaded cause=\"{}\"", e.toString());
            return false;
        }
    }

    /** The batch once more, after the scripts were reloaded; a failure now waits for the backoff. */
    private boolean routeAgain(List<PushCommand> commands) {
        try {
            router.route(commands);
            metrics.batches.labels("committed").inc();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return false;
        } catch (Exception e) {
            metrics.batches.labels("retried").inc();
            log.warn("batch not routed after the scripts were reloaded; it will be handled again after the backoff"
                    + " commands={} cause=\"{}\"", commands.size(), e.toString());
            return false;
        }
    }

    /** Records the offset after the last record of each partition in the batch as handled. */
    private void handled(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
            handled.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
        }
        uncommitted = true;
    }

    /**
     * Commits, without waiting, every partition's handled offset once the interval has passed since the
     * last commit and some batch was handled since (an offset committed before is simply committed again).
     */
    private void commitIfDue() {
        if (!uncommitted || handled.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        if (now - nextCommitNanos < 0) {
            return;
        }
        nextCommitNanos = now + commitIntervalNanos;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(handled);
        uncommitted = false;
        metrics.commits.inc();
        consumer.commitAsync(offsets, (committed, e) -> {
            if (e != null) {
                // a later commit (or the one on revocation) covers these; the worst case is a re-route
                log.warn("asynchronous offset commit failed; a later commit covers it cause=\"{}\"", e.toString());
            }
        });
    }

    /** Commits what was handled on {@code partitions} and waits for it (revocation, close). */
    private void commitHandled(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = handled.remove(tp);
            if (o != null) {
                offsets.put(tp, o);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            // the partitions moved on: their next owner routes these batches again (duplicates, not losses)
            log.warn("offset commit on revocation/close failed; the partitions' next owner routes the last batches"
                    + " again cause=\"{}\"", e.toString());
        }
    }

    /** Moves each partition back to the batch's first record and pauses it for the backoff. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
        consumer.pause(consumer.assignment());
    }

    /**
     * Records a poll returned during the backoff (from partitions a rebalance assigned unpaused before
     * {@link Rebalance#onPartitionsAssigned} could pause them): read again after the backoff.
     */
    private void putBack(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
        consumer.pause(records.partitions());
        log.info("records polled during the backoff put back partitions={} records={}", records.partitions(),
                records.count());
    }

    /** Stops after the batch in hand is handled and committed; waits up to {@code timeoutMs}. */
    @Override
    public void close() {
        close(10_000);
    }

    public void close(long timeoutMs) {
        running = false;
        try {
            if (!stopped.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                consumer.wakeup();
                stopped.await(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commitHandled(partitions);
            log.info("command partitions revoked partitions={}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // another router owns them already: committing now would be refused
            partitions.forEach(handled::remove);
            log.info("command partitions lost partitions={}", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (pausedUntil != 0) {
                // a backoff is running: these wait for it like the others
                consumer.pause(partitions);
            }
            assigned = true;
            log.info("command partitions assigned partitions={} paused={}", partitions, pausedUntil != 0);
        }
    }
}
