package io.longlink.conn.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.redis.RedisStore;
import io.longlink.conn.metrics.ConnMetrics;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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
 * enqueue follow-up operations instead. The queue is bounded: when full, {@link #offer} says so and
 * the op is counted as dropped (a renewal is retried by the device's next frame, an ACK by the
 * device after its next CONNECT drain).
 */
public final class RedisBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisBatcher.class);

    private final RedisStore store;
    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final BlockingQueue<BatchOp> queue;
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
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.batchSize = batchSize;
        this.metrics = requireNonNull(metrics, "metrics");
        connection.setAutoFlushCommands(false);
        this.thread = new Thread(this::run, "conn-redis-batch");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return false when the queue is full or the batcher stopped (the op was not taken, and is counted) */
    public boolean offer(BatchOp op) {
        if (stopped || !queue.offer(op)) {
            metrics.batchDropped(op.kind());
            return false;
        }
        return true;
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
                continue;
            }
            int n = 0;
            do {
                issue(op);
                if (++n % batchSize == 0) {
                    connection.flushCommands();
                }
            } while ((op = queue.poll()) != null);
            connection.flushCommands();
        }
    }

    private void issue(BatchOp op) {
        CompletionStage<?> reply;
        try {
            reply = op.issue(redis);
        } catch (RuntimeException e) {
            metrics.redisError(op.kind());
            log.warn("batched Redis operation could not be issued op={}", op.kind(), e);
            return;
        }
        synchronized (idle) {
            inFlight++;
        }
        reply.whenComplete((r, err) -> {
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
            while (!queue.isEmpty() || inFlight > 0) {
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
