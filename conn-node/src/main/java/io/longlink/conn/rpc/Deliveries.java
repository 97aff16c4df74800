package io.longlink.conn.rpc;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.session.AckWaiter;
import io.longlink.conn.session.ConnectionIds;
import io.longlink.conn.session.Session;
import io.longlink.conn.session.SessionIndex;
import io.longlink.conn.session.LiveDelivery;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryBatch;
import io.longlink.proto.internal.Outcome;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Decides one outcome per delivery of a batch. What needs no connection state is answered at once
 * (NOT_HERE, STALE_ROUTE, REJECTED when expired or invalid); the rest goes to the sessions' event
 * loops as one task per loop per batch, which writes in batch order and flushes each touched
 * connection once. The batch completes when every loop task has reported and, for a batch with
 * {@code ack_wait_ms}, when every awaited copy was acknowledged or the wait ended (one timer per
 * batch, never one per connection). A draining node still delivers to the connections it holds. A
 * delivery with {@code redrain} and no push asks for a re-drain only.
 */
final class Deliveries {
    /** The longest ACK wait a batch may ask for; longer asks are cut to it. */
    static final int MAX_ACK_WAIT_MS = 10_000;

    private final SessionIndex index;
    private final LiveDelivery delivery;
    private final ConnMetrics metrics;

    Deliveries(SessionIndex index, LiveDelivery delivery, ConnMetrics metrics) {
        this.index = requireNonNull(index, "index");
        this.delivery = requireNonNull(delivery, "delivery");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Completes {@code done} with the outcomes, in batch order, on whichever thread finishes last. */
    void dispatch(DeliveryBatch batch, Consumer<Outcome[]> done) {
        int n = batch.getDeliveriesCount();
        Outcome[] outcomes = new Outcome[n];
        Map<EventLoop, LoopWork> work = null;
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            Delivery d = batch.getDeliveries(i);
            if (d.getAppKey().isEmpty() || d.getDeviceId().isEmpty() || (!d.hasPush() && !d.getRedrain())) {
                metrics.invalidDeliveries.inc();
                outcomes[i] = Outcome.REJECTED;
                continue;
            }
            Session s = index.find(d.getAppKey(), d.getDeviceId());
            if (s == null) {
                outcomes[i] = Outcome.NOT_HERE;
                continue;
            }
            if (!d.getConnectionId().isEmpty()
                    && ConnectionIds.parse(d.getConnectionId(), ~s.connectionId()) != s.connectionId()) {
                outcomes[i] = Outcome.STALE_ROUTE;
                continue;
            }
            long expiresAt = d.getPush().getExpiresAtMs();
            if (d.hasPush() && expiresAt != 0 && expiresAt < now) {
                outcomes[i] = Outcome.REJECTED;
                continue;
            }
            if (work == null) {
                work = new IdentityHashMap<>();
            }
            work.computeIfAbsent(s.channel().eventLoop(), l -> new LoopWork()).add(i, s);
        }
        if (work == null) {
            finish(outcomes, done);
            return;
        }
        int ackWaitMs = Math.min(batch.getAckWaitMs(), MAX_ACK_WAIT_MS);
        BatchAcks acks = ackWaitMs > 0 ? new BatchAcks(outcomes, done) : null;
        AtomicInteger remaining = new AtomicInteger(work.size());
        for (Map.Entry<EventLoop, LoopWork> e : work.entrySet()) {
            LoopWork w = e.getValue();
            EventLoop loop = e.getKey();
            Runnable task = () -> {
                w.run(batch, outcomes, delivery, acks);
                if (remaining.decrementAndGet() == 0) {
                    loopsDone(outcomes, done, acks, loop, ackWaitMs);
                }
            };
            try {
                loop.execute(task);
            } catch (RejectedExecutionException stopping) {
                w.fail(outcomes, Outcome.NOT_HERE);
                if (remaining.decrementAndGet() == 0) {
                    loopsDone(outcomes, done, acks, loop, ackWaitMs);
                }
            }
        }
    }

    private void loopsDone(Outcome[] outcomes, Consumer<Outcome[]> done, BatchAcks acks, EventLoop loop,
                           int ackWaitMs) {
        if (acks == null || acks.loopsDone()) {
            finish(outcomes, done);
            return;
        }
        try {
            loop.schedule(acks::timeout, ackWaitMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            acks.timeout();
        }
    }

    private void finish(Outcome[] outcomes, Consumer<Outcome[]> done) {
        for (Outcome o : outcomes) {
            metrics.delivery(o);
        }
        done.accept(outcomes);
    }

    /**
     * The ACK wait of one batch. Sessions register awaited copies while the loop tasks run; the batch
     * answers when the last loop task ran and nothing is awaited, when the last awaited copy is
     * acknowledged, or when the wait ends, whichever comes first, exactly once.
     */
    private final class BatchAcks implements AckWaiter {
        private final Outcome[] outcomes;
        private final Consumer<Outcome[]> done;
        private int awaited;
        private boolean loopsDone;
        private volatile boolean answered;

        BatchAcks(Outcome[] outcomes, Consumer<Outcome[]> done) {
            this.outcomes = outcomes;
            this.done = done;
        }

        @Override
        public synchronized void awaiting(int index) {
            awaited++;
        }

        @Override
        public boolean acked(int index) {
            synchronized (this) {
                if (answered) {
                    return false;
                }
                outcomes[index] = Outcome.ACKED;
                awaited--;
                if (!loopsDone || awaited > 0) {
                    return true;
                }
                answered = true;
            }
            finish(outcomes, done);
            return true;
        }

        @Override
        public boolean answered() {
            return answered;
        }

        /** True when the batch may answer now (nothing awaited); else its timer is to be started. */
        synchronized boolean loopsDone() {
            loopsDone = true;
            if (awaited == 0) {
                answered = true;
                return true;
            }
            return false;
        }

        void timeout() {
            synchronized (this) {
                if (answered) {
                    return;
                }
                answered = true;
            }
            finish(outcomes, done);
        }
    }

    /** The deliveries of one batch that go to one event loop, in batch order. */
    private static final class LoopWork {
        private int[] indexes = new int[4];
        private final List<Session> targets = new ArrayList<>(4);

        void add(int i, Session s) {
            if (targets.size() == indexes.length) {
                indexes = java.util.Arrays.copyOf(indexes, indexes.length * 2);
            }
            indexes[targets.size()] = i;
            targets.add(s);
        }

        void run(DeliveryBatch batch, Outcome[] outcomes, LiveDelivery delivery, BatchAcks acks) {
            Session lastFlushed = null;
            for (int k = 0; k < targets.size(); k++) {
                Session s = targets.get(k);
                int i = indexes[k];
                Delivery d = batch.getDeliveries(i);
                Push push = d.hasPush() ? d.getPush() : null;
                outcomes[i] = acks != null && d.getAwaitAck() && push != null
                        ? delivery.deliver(s, push, d.getRedrain(), acks, i)
                        : delivery.deliver(s, push, d.getRedrain());
            }
            for (Session s : targets) {
                if (s != lastFlushed) {
                    s.channel().flush();
                    lastFlushed = s;
                }
            }
        }

        void fail(Outcome[] outcomes, Outcome o) {
            for (int k = 0; k < targets.size(); k++) {
                outcomes[indexes[k]] = o;
            }
        }
    }
}
