package io.longlink.conn.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisStore;
import io.longlink.conn.metrics.ConnMetrics;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipelines the node's frequent small Redis writes (route renewals and deletes, ACK removals,
 * status counters) on a Redis connection of its own: event loops only enqueue, one thread sends
 * whatever is queued with auto-flush off and flushes every {@code batchSize} commands. Under load a
 * flush carries hundreds of commands; when idle an operation goes out at once.
 *
 * <p>Auto-flush is a property of the whole connection, which is why this connection is used by
 * this thread only. Reply callbacks run on Lettuce threads and must not issue commands here; they
 * enqueue follow-up operations instead.
 *
 * <p>The queue is bounded in commands, counting those sent and not yet answered (a Redis slower
 * than the writes must not grow the node's heap), and shared fairly: a quarter is reserved for route renewals
 * and deletes and log positions ({@link BatchOp#reserved}), so no flood of ACK removals crowds them
 * out. An op that finds no room is dropped and counted ({@link #offer}; a renewal is retried by the
 * device's next frame), except an ACK removal, which waits in FIFO order ({@link #offerOrPark})
 * while its device's reads pause, and is queued as room appears.
 */
public final class RedisBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisBatcher.class);

    private final RedisStore store;
    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final BlockingQueue<BatchOp> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Parked> parked = new ConcurrentLinkedQueue<>();
    /** Commands queued: those of shared ops in the high half, all in the low half (one CAS admits both). */
    private final AtomicLong load = new AtomicLong();
    private final int capacity;
    private final int sharedCapacity;
    private final int batchSize;
    private final ConnMetrics metrics;
    private final Thread thread;
    /** Guards nothing but the wait for in-flight replies at close. */
    private final Object idle = new Object();
    private int inFlight; // guarded by idle
    private volatile boolean stopped;

    public RedisBatcher(RedisStore store, int queueCapacity, int batchSize, ConnMetrics metrics) {
        this.store = requireNonNull(store, "store");
        this.connection = store.connection();
        this.redis = store.async();
        this.capacity = queueCapacity;
        this.sharedCapacity = queueCapacity - Math.max(1, queueCapacity / 4);
        this.batchSize = batchSize;
        this.metrics = requireNonNull(metrics, "metrics");
        connection.setAutoFlushCommands(false);
        this.thread = new Thread(this::run, "conn-redis-batch");
        thread.setDaemon(true);
        thread.start();
    }

    private record Parked(BatchOp op, Runnable queued) {
    }

    /** @return false when the queue is full or the batcher stopped (the op was not taken, and is counted) */
    public boolean offer(BatchOp op) {
        if (stopped || !admit(op)) {
            metrics.batchDropped(op.kind());
            return false;
        }
        return true;
    }

    /**
     * Queues the op, or when there is no room (or ops already wait: first come, first queued) keeps it
     * until there is and then runs {@code queued} on the batcher thread.
     *
     * @return true when queued now
     */
    public boolean offerOrPark(BatchOp op, Runnable queued) {
        requireNonNull(queued, "queued");
        if (stopped) {
            metrics.batchDropped(op.kind()); // the node is closing: nothing would take it
            return true;
        }
        if (parked.isEmpty() && admit(op)) {
            return true;
        }
        metrics.batchParked(op.kind());
        parked.add(new Parked(op, queued));
        return false;
    }

    /** Takes room for the op and queues it; an op larger than its share goes alone into an empty share. */
    private boolean admit(BatchOp op) {
        long w = weight(op);
        boolean shared = !op.reserved();
        while (true) {
            long l = load.get();
            long total = l & 0xFFFF_FFFFL;
            long sharedLoad = l >>> 32;
            if (total != 0 && total + w > capacity) {
                return false;
            }
            if (shared && sharedLoad != 0 && sharedLoad + w > sharedCapacity) {
                return false;
            }
            if (load.compareAndSet(l, l + w + (shared ? w << 32 : 0))) {
                queue.add(op);
                return true;
            }
        }
    }

    private void taken(BatchOp op) {
        long w = weight(op);
        load.addAndGet(-(w + (op.reserved() ? 0 : w << 32)));
    }

    private static long weight(BatchOp op) {
        return Math.max(1, op.weight());
    }

    /** Queues waiting ops, oldest first, while they fit. Batcher thread only. */
    private void unpark() {
        Parked p;
        while ((p = parked.peek()) != null && admit(p.op())) {
            parked.poll();
            try {
                p.queued().run();
            } catch (RuntimeException e) {
                log.warn("callback of a parked batched operation failed op={}", p.op().kind(), e);
            }
        }
    }

    private void run() {
        while (!stopped) {
            BatchOp op;
            try {
                op = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (op == null) {
                connection.flushCommands(); // commands Lettuce re-queued after a cluster redirect go out too
                unpark();
                continue;
            }
            int n = 0;
            do {
                issue(op);
                if (++n % batchSize == 0) {
                    connection.flushCommands();
                    unpark();
                }
            } while ((op = queue.poll()) != null);
            connection.flushCommands();
            unpark();
        }
    }

    private void issue(BatchOp op) {
        CompletionStage<?> reply;
        try {
            reply = op.issue(redis);
        } catch (RuntimeException e) {
            taken(op);
            metrics.redisError(op.kind());
            log.warn("batched Redis operation could not be issued op={}", op.kind(), e);
            return;
        }
        synchronized (idle) {
            inFlight++;
        }
        reply.whenComplete((r, err) -> {
            taken(op); // its room is free once Redis answered: what is sent and unanswered counts too
            if (err != null) {
                metrics.redisError(op.kind());
                log.warn("batched Redis operation failed op={} error=\"{}\"", op.kind(), err.toString());
            }
            synchronized (idle) {
                inFlight--;
                idle.notifyAll();
            }
        });
    }

    /**
     * Waits up to {@code timeoutMs} until every queued operation, and every follow-up its reply
     * enqueued, has been answered; then stops and closes the connection.
     */
    public void close(long timeoutMs) {
        try {
            awaitIdle(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }

    private void awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (idle) {
            while (!queue.isEmpty() || !parked.isEmpty() || inFlight > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    log.warn("closing with Redis operations unfinished queued={} inFlight={}", queue.size(), inFlight);
                    break;
                }
                idle.wait(Math.min(left, 50));
            }
        }
    }

    @Override
    public void close() {
        close(5_000);
    }
}
