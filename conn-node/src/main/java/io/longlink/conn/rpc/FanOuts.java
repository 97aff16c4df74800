package io.longlink.conn.rpc;

import static java.util.Objects.requireNonNull;

import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.broadcast.FanOutCopies;
import io.longlink.conn.codec.Frames;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.session.Session;
import io.longlink.conn.session.SessionIndex;
import io.longlink.conn.session.LiveDelivery;
import io.longlink.conn.store.RedisBatcher;
import io.longlink.conn.store.StatIncrement;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tag and broadcast pushes to this node's own connections. Matching runs on a fan-out thread (a
 * broadcast walks every connection of an app, which must not stall an event loop); the push is
 * encoded once and each connection writes a duplicate of that one buffer, one task per event loop
 * per chunk; copies written within {@code conn.fanout-linger-ms} of a loop's last fan-out flush, or
 * while other FanOuts wait on that loop, wait for its next flush and share the sockets' writes. With
 * spread_ms the matched connections are split into chunks written over that time: the call is
 * answered after the first chunk and the rest is written in the background, whose
 * writes this node counts itself ({@code ll:stat} {@code online}). At most {@code maxConcurrent}
 * calls are served at once (more are refused, RESOURCE_EXHAUSTED) and at most {@code maxSpreads}
 * spreads run in the background (beyond, a spread FanOut is written at once rather than refused:
 * the devices get the push sooner, never not at all). A FanOut with a broadcast-log position is
 * recorded in {@link FanOutCopies} from its start until its last write, for the ACKs that come back.
 * A message this node already fans out or fanned out (a router tries a call again when its answer
 * was late or lost) is not written again: the call gets the first call's answer.
 */
final class FanOuts {
    static final int MAX_SPREAD_MS = 600_000;
    private static final int CHUNK_INTERVAL_MS = 50;
    private static final int FLUSH_EVERY = 128;
    /** Messages remembered for repeated calls: router.fanout-retry-ms (600 s) at 100 fan-outs/s. */
    static final int REMEMBERED = 65_536;

    private final SessionIndex index;
    private final LiveDelivery delivery;
    private final FanOutCopies copies;
    private final ScheduledExecutorService executor;
    private final Semaphore permits;
    private final Semaphore spreads;
    private final RedisBatcher batcher;
    private final ConnMetrics metrics;
    /** How long after a fan-out flush a loop's next fan-out copies wait to share one write per socket. */
    private final long lingerNanos;
    private final Map<EventLoop, LoopWrites> loopWrites = new ConcurrentHashMap<>();
    /** Guarded by itself: message id to the answer of its first call, oldest first. */
    private final LinkedHashMap<Long, Served> served = new LinkedHashMap<>(1_024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Served> eldest) {
            return size() > REMEMBERED;
        }
    };

    FanOuts(SessionIndex index, LiveDelivery delivery, FanOutCopies copies, ScheduledExecutorService executor,
            int maxConcurrent, int maxSpreads, int lingerMs, RedisBatcher batcher, ConnMetrics metrics) {
        this.index = requireNonNull(index, "index");
        this.delivery = requireNonNull(delivery, "delivery");
        this.copies = requireNonNull(copies, "copies");
        this.executor = requireNonNull(executor, "executor");
        this.permits = new Semaphore(maxConcurrent);
        this.spreads = new Semaphore(maxSpreads);
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
        this.batcher = requireNonNull(batcher, "batcher");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    static void validate(FanOutRequest r) {
        if (r.getAppKey().isEmpty()) {
            throw Refusal.invalid("app_key is required");
        }
        if (!r.hasPush()) {
            throw Refusal.invalid("push is required");
        }
        if (!r.getBroadcast() && r.getFilter().getAnyOfCount() == 0 && r.getFilter().getAllOfCount() == 0
                && r.getFilter().getNoneOfCount() == 0) {
            throw Refusal.invalid("a tag filter is required unless broadcast is true");
        }
        if (Integer.toUnsignedLong(r.getSpreadMs()) > MAX_SPREAD_MS) {
            throw Refusal.invalid("spread_ms must be at most " + MAX_SPREAD_MS);
        }
    }

    CompletableFuture<FanOutResponse> run(FanOutRequest r) {
        validate(r);
        long messageId = r.getPush().getMessageId();
        CompletableFuture<FanOutResponse> result = new CompletableFuture<>();
        synchronized (served) {
            Served first = messageId == 0 ? null : served.get(messageId);
            if (first != null && first.appKey.equals(r.getAppKey())) {
                metrics.fanOutRepeats.inc();
                return first.result;
            }
            if (!permits.tryAcquire()) {
                throw new RejectedExecutionException("too many FanOut calls in progress (conn.fanout-max-concurrent)");
            }
            if (messageId != 0) {
                served.put(messageId, new Served(r.getAppKey(), result));
            }
        }
        result.whenComplete((x, e) -> {
            permits.release();
            if (e != null && messageId != 0) {
                synchronized (served) { // not written: a call again runs it again
                    Served first = served.get(messageId);
                    if (first != null && first.result == result) {
                        served.remove(messageId);
                    }
                }
            }
        });
        try {
            executor.execute(() -> {
                try {
                    match(r, result);
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private void match(FanOutRequest r, CompletableFuture<FanOutResponse> result) {
        metrics.fanOuts.inc();
        long position = r.getLogPosition();
        copies.started(r.getAppKey(), r.getPush().getMessageId(), position);
        List<Session> matched = new ArrayList<>();
        index.match(r.getAppKey(), r.getBroadcast(), r.getFilter(), matched::add);
        if (matched.isEmpty()) {
            copies.finished(r.getAppKey(), position);
            result.complete(FanOutResponse.getDefaultInstance());
            return;
        }
        ByteBuf frame = Frames.encode(ByteBufAllocator.DEFAULT, FrameType.PUSH, r.getPush());
        int chunks = 1;
        boolean spreading = false;
        if (r.getSpreadMs() > 0 && matched.size() > 1) {
            spreading = spreads.tryAcquire();
            if (spreading) {
                chunks = Math.max(1, Math.min(matched.size(), r.getSpreadMs() / CHUNK_INTERVAL_MS));
            } else {
                metrics.fanOutSpreadsAtOnce.inc();
            }
        }
        AtomicLong written = new AtomicLong();
        List<CompletableFuture<Void>> parts = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            List<Session> chunk = matched.subList(c * matched.size() / chunks, (c + 1) * matched.size() / chunks);
            CompletableFuture<Void> part = new CompletableFuture<>();
            parts.add(part);
            long delay = (long) c * r.getSpreadMs() / chunks;
            Runnable send = () -> write(chunk, frame, r, written, part);
            if (delay == 0) {
                send.run();
            } else {
                try {
                    executor.schedule(send, delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    part.complete(null); // the node stops: those devices get the push from the log on reconnect
                }
            }
        }
        long matchedCount = matched.size();
        CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]));
        all.whenComplete((x, e) -> copies.finished(r.getAppKey(), position));
        if (!spreading) {
            all.whenComplete((x, e) -> {
                frame.release();
                result.complete(FanOutResponse.newBuilder().setMatched(matchedCount).setWritten(written.get()).build());
            });
            return;
        }
        // answered after the first chunk; the router counts what the answer says, this node the rest
        parts.get(0).whenComplete((x, e) -> {
            long early = written.get();
            result.complete(FanOutResponse.newBuilder().setMatched(matchedCount).setWritten(early).build());
            all.whenComplete((y, e2) -> {
                frame.release();
                spreads.release();
                countLate(r.getPush().getMessageId(), written.get() - early);
            });
        });
    }

    /** The first call of a message: its app and its answer. */
    private record Served(String appKey, CompletableFuture<FanOutResponse> result) {
    }

    private void countLate(long messageId, long n) {
        if (messageId != 0 && n > 0) {
            batcher.offer(new StatIncrement(messageId, RedisKeys.STAT_ONLINE, n));
        }
    }

    private void write(List<Session> chunk, ByteBuf frame, FanOutRequest r, AtomicLong written,
                       CompletableFuture<Void> done) {
        Map<EventLoop, List<Session>> byLoop = new IdentityHashMap<>();
        for (Session s : chunk) {
            byLoop.computeIfAbsent(s.channel().eventLoop(), l -> new ArrayList<>()).add(s);
        }
        CompletableFuture<?>[] loops = new CompletableFuture<?>[byLoop.size()];
        int i = 0;
        for (Map.Entry<EventLoop, List<Session>> e : byLoop.entrySet()) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            loops[i++] = f;
            EventLoop loop = e.getKey();
            LoopWrites lw = loopWrites.computeIfAbsent(loop, LoopWrites::new);
            lw.waiting.incrementAndGet();
            try {
                loop.execute(() -> {
                    lw.waiting.decrementAndGet();
                    writeOnLoop(lw, e.getValue(), frame, r, written, f);
                });
            } catch (RejectedExecutionException stopping) {
                lw.waiting.decrementAndGet();
                f.complete(null);
            }
        }
        CompletableFuture.allOf(loops).whenComplete((x, e) -> done.complete(null));
    }

    /**
     * Writes the copies of one loop's share. When the loop flushed fan-out copies less than the linger
     * ago, or another FanOut waits to write on it, the copies are not flushed now: they wait for the
     * loop's next fan-out flush (one task per loop, at the linger's end or behind the waiting FanOuts),
     * and one write(2) per socket carries every push it holds by then. Otherwise they are flushed every
     * {@value #FLUSH_EVERY} sockets as they are written. Either way the copies are in their
     * connections' outbound buffers, in order, when {@code done} completes: the call is answered
     * without waiting for the flush, so the router's next FanOut can share it.
     */
    private void writeOnLoop(LoopWrites lw, List<Session> sessions, ByteBuf frame, FanOutRequest r,
                             AtomicLong written, CompletableFuture<Void> done) {
        boolean hold = lw.holdsFlushes();
        long n = 0;
        int from = 0; // sessions before it are flushed
        for (int i = 0; i < sessions.size(); i++) {
            if (delivery.fanOut(sessions.get(i), frame, r.getPush(), r.getLogPosition())) {
                n++;
            }
            if (!hold && i + 1 - from >= FLUSH_EVERY && lw.waiting.get() == 0) {
                flush(sessions, from, i + 1);
                from = i + 1;
            }
        }
        if (hold || (from < sessions.size() && lw.waiting.get() > 0)) {
            for (int i = from; i < sessions.size(); i++) {
                lw.unflushed(sessions.get(i));
            }
            lw.flushLater();
        } else {
            flush(sessions, from, sessions.size());
            lw.flushedNow();
        }
        written.addAndGet(n);
        done.complete(null);
    }

    private static void flush(List<Session> sessions, int from, int to) {
        for (int i = from; i < to; i++) {
            sessions.get(i).channel().flush();
        }
    }

    /**
     * One device event loop's FanOut writes: how many wait to start, and (touched on the loop only)
     * the connections holding unflushed copies and when the loop last flushed fan-out copies.
     */
    private final class LoopWrites {
        final EventLoop loop;
        final AtomicInteger waiting = new AtomicInteger();
        private final List<Session> unflushed = new ArrayList<>();
        private long lastFlushNanos;
        private boolean flushQueued;

        LoopWrites(EventLoop loop) {
            this.loop = loop;
            this.lastFlushNanos = System.nanoTime() - lingerNanos;
        }

        boolean holdsFlushes() {
            return flushQueued || waiting.get() > 0 || System.nanoTime() - lastFlushNanos < lingerNanos;
        }

        void unflushed(Session s) {
            if (s.markFanOutUnflushed()) {
                unflushed.add(s);
            }
        }

        void flushedNow() {
            lastFlushNanos = System.nanoTime();
        }

        /** Queues the loop's next fan-out flush unless it is. */
        void flushLater() {
            if (flushQueued) {
                return;
            }
            flushQueued = true;
            long delay = lastFlushNanos + lingerNanos - System.nanoTime();
            try {
                if (delay > 0) {
                    loop.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
                } else {
                    loop.execute(this::flush); // behind the FanOuts waiting now
                }
            } catch (RejectedExecutionException stopping) {
                flush();
            }
        }

        private void flush() {
            flushQueued = false;
            for (int i = 0; i < unflushed.size(); i++) {
                unflushed.get(i).flushFanOut();
            }
            unflushed.clear();
            lastFlushNanos = System.nanoTime();
        }
    }
}
