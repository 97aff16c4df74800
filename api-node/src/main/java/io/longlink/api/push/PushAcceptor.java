package io.longlink.api.push;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.longlink.api.id.MessageIds;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.log.LogThrottle;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushError;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushResult;
import io.prometheus.client.CollectorRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes validated pushes the rest of the way, for Push and PushBatch alike: reserve the request_id
 * if there is one, produce the command to Kafka, and once Kafka acknowledged it record its status
 * hash ({@code ll:stat:{id}}: owner, {@code created_ms}, {@code accepted_ms}) in the
 * {@link MessageStore}. A push counts as accepted only with that acknowledgement (acks=all).
 *
 * <p>The pushes of one call travel together as a {@link Run} through three phases, each ended by
 * one counter reaching zero rather than by a future per push: reservations, then the Kafka sends,
 * then the status writes (one HSET and one PEXPIRE per push). A batch's status writes are issued
 * together on a {@link StatusWrites#pipelined} connection, so they leave in one flush. Every entry
 * takes its message id when it is added, so a call's ids ascend in entry order; Kafka sends start
 * only after every reservation of the call is settled and go out in entry order, so entries for the
 * same device keep their order (same record key, same partition): the order routers and devices
 * follow.
 *
 * <p>The sends run on an API call thread, never on a Redis thread: a call without reservations sends
 * on the thread that started it, one with reservations on the {@code sendExecutor} once the last
 * reservation settled. They never wait for Kafka ({@link CommandPublisher}).
 */
public final class PushAcceptor {
    private static final Logger log = LoggerFactory.getLogger(PushAcceptor.class);

    private final MessageStore messages;
    private final RequestIdReservations requestIds;
    private final CommandPublisher publisher;
    private final MessageIds ids;
    private final Executor sendExecutor;
    private final LongSupplier clock;
    private final PushMetrics metrics;
    private final int maxInFlight;
    private final long maxWaitNanos;
    private final GrpcErrors errors;
    private final LogThrottle statusFailureLog = new LogThrottle();
    /** Pushes of started runs that are not answered yet: the admission limit's count. */
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param maxInFlight pushes admitted at once (api.max-inflight-pushes); beyond, calls get RESOURCE_EXHAUSTED
     * @param maxWaitMs   how long an entry waits at most for an earlier push with its request_id to be
     *                    accepted (within the call's deadline)
     * @param sendExecutor where the sends of a call that reserved request ids run (the API's call
     *                     executor): not on the Redis thread that settled the last reservation
     */
    public PushAcceptor(MessageStore messages, RequestIdReservations requestIds, CommandPublisher publisher,
                        MessageIds ids, Executor sendExecutor, LongSupplier clock, int maxInFlight, long maxWaitMs,
                        CollectorRegistry registry, GrpcErrors errors) {
        this.messages = requireNonNull(messages, "messages");
        this.requestIds = requireNonNull(requestIds, "requestIds");
        this.publisher = requireNonNull(publisher, "publisher");
        this.ids = requireNonNull(ids, "ids");
        this.sendExecutor = requireNonNull(sendExecutor, "sendExecutor");
        this.clock = requireNonNull(clock, "clock");
        this.metrics = new PushMetrics(registry);
        this.maxInFlight = maxInFlight;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.errors = requireNonNull(errors, "errors");
        metrics.inFlight(inFlight::get, registry);
    }

    /**
     * Admission: a call's pushes are taken only while fewer than {@code maxInFlight} pushes await
     * Kafka on this node, so an overloaded node refuses at once (before producing anything, so a
     * retry cannot duplicate) instead of letting calls run into their deadlines after Kafka has
     * their commands. A call is always admitted when nothing else is in flight, whatever its size.
     * While Redis is disconnected every call is refused with UNAVAILABLE, also before producing.
     */
    private void admit(int pushes) {
        if (!messages.connected()) {
            // Kafka would take the push, but its status (owner, acceptance) could not be written
            throw Refusal.unavailable("redis: not connected; nothing of this call was pushed (retry later)");
        }
        while (true) {
            int now = inFlight.get();
            if (now > 0 && now + pushes > maxInFlight) {
                metrics.refused(pushes);
                throw Refusal.exhausted("api.max-inflight-pushes: " + now + " pushes of this node await Kafka"
                        + " (limit " + maxInFlight + "); nothing of this call was pushed, retry with backoff");
            }
            if (inFlight.compareAndSet(now, now + pushes)) {
                return;
            }
        }
    }

    /** A unary Push of {@code app}, called within the gRPC call (its deadline bounds waits). */
    Run unary(String app) {
        return new Run(app, 1, messages.statusWrites(false), false, waitDeadline());
    }

    /** A PushBatch of {@code app} with {@code size} entries, called within the gRPC call. */
    Run batch(String app, int size) {
        metrics.batch(size);
        return new Run(app, size, messages.statusWrites(true), true, waitDeadline());
    }

    /** Until when an entry may wait for an earlier push with its request_id: the call's deadline at the latest. */
    private long waitDeadline() {
        long bound = System.nanoTime() + maxWaitNanos;
        Deadline deadline = Context.current().getDeadline();
        return deadline == null ? bound : Math.min(bound, System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS));
    }

    /**
     * Idempotent push: the first call reserves the request id under the entry's id and produces it; a
     * later or concurrent call answers the reserved id once Kafka accepted that push, or produces it
     * again under that id when its holder lost it ({@link RequestIdReservations}): a push with a
     * request id gets one id whatever the retries, and concurrent callers produce it once.
     */
    private CompletionStage<Void> reserve(Run run, Entry e) {
        return requestIds.reserve(run.app, e.push.requestId(), e.id, run.waitDeadline).thenAccept(r -> {
            switch (r.holder()) {
                case NONE -> e.produce(r.messageId(), false);
                case TAKEN_OVER -> e.produce(r.messageId(), true);
                case ACCEPTED -> e.answer(r.messageId());
            }
        });
    }

    /**
     * The pushes of one call. Fill it with {@link #add} and {@link #refuse} in request order, then
     * {@link #start}. Its future completes once every entry is settled, accepted or not; an entry's
     * failure is in its result, never in the future.
     *
     * <p>{@code pending} counts what the current phase still waits for, plus one held by whoever
     * issues the phase, so that it cannot reach zero before everything is issued. Whoever brings it
     * to zero runs the next phase: a gRPC thread, a Lettuce thread or the Kafka producer's thread,
     * except that the sends after reservations go to the send executor. The counter (and the
     * executor's hand-over) publishes the entries' fields between those threads.
     */
    final class Run implements BiConsumer<Object, Throwable> {
        private static final int RESERVING = 0;
        private static final int PUBLISHING = 1;
        private static final int ACCEPTING = 2;

        private final String app;
        private final Entry[] entries;
        private final StatusWrites writes;
        private final boolean batch;
        private final long waitDeadline;
        private final AtomicInteger pending = new AtomicInteger();
        private final AtomicInteger statusFailures = new AtomicInteger();
        private final CompletableFuture<Run> done = new CompletableFuture<>();
        private volatile int phase;
        private volatile Throwable statusError;
        private int size;
        private int reservations;
        /** The first entry of each request id in this call, for the later ones to follow; made on first use. */
        private Map<String, Entry> byRequestId;

        private Run(String app, int capacity, StatusWrites writes, boolean batch, long waitDeadline) {
            this.app = app;
            this.entries = new Entry[capacity];
            this.writes = writes;
            this.batch = batch;
            this.waitDeadline = waitDeadline;
        }

        /**
         * Adds a push that passed validation, with the next message id. An entry with a request id
         * reserves it under that id at {@link #start}; a later entry with the same request id follows
         * the first one's outcome.
         */
        void add(ValidPush push) {
            Entry e = new Entry(this, push);
            entries[size++] = e;
            try {
                e.id = ids.next();
            } catch (RuntimeException x) {
                e.fail(x);
                return;
            }
            String requestId = push.requestId();
            if (requestId.isEmpty()) {
                e.publish = true;
                return;
            }
            if (byRequestId == null) {
                byRequestId = new HashMap<>();
            }
            e.follows = byRequestId.putIfAbsent(requestId, e);
            if (e.follows == null) {
                reservations++;
            }
        }

        /** Adds an entry that is answered with {@code error} (its validation failed). */
        void refuse(RuntimeException error) {
            Entry e = new Entry(this, null);
            e.fail(error);
            entries[size++] = e;
        }

        CompletableFuture<Run> start() {
            admit(size);
            done.whenComplete((r, e) -> inFlight.addAndGet(-size));
            pending.set(1 + reservations);
            phase = RESERVING;
            for (int i = 0; i < size; i++) {
                Entry e = entries[i];
                if (e.reserves()) {
                    try {
                        reserve(this, e).whenComplete((x, error) -> {
                            if (error != null) {
                                e.fail(error);
                            }
                            settled();
                        });
                    } catch (RuntimeException x) {
                        e.fail(x);
                        settled();
                    }
                }
            }
            settled();
            return done;
        }

        private void settled() {
            if (pending.decrementAndGet() != 0) {
                return;
            }
            if (phase == RESERVING && reservations > 0) {
                // the last reservation settled on a Redis thread, which must not run the sends
                try {
                    sendExecutor.execute(() -> next(null));
                } catch (RejectedExecutionException e) {
                    next(e);
                }
                return;
            }
            next(null);
        }

        /** Runs the next phase; {@code refused} (only for the sends) fails every send with it. */
        private void next(RuntimeException refused) {
            try {
                switch (phase) {
                    case RESERVING -> publish(refused);
                    case PUBLISHING -> stampAccepted();
                    default -> finish();
                }
            } catch (RuntimeException e) {
                // a bug, not a store or broker failure (those settle their entry): answer rather than hang
                done.completeExceptionally(e);
            }
        }

        /**
         * The Kafka sends in entry order; one pending count per send. With {@code refused} (the send
         * executor is full or stopping) every send fails with it instead, as a refusal of Kafka's would.
         */
        private void publish(RuntimeException refused) {
            phase = PUBLISHING;
            int sends = 0;
            for (int i = 0; i < size; i++) {
                if (entries[i].publish) {
                    sends++;
                }
            }
            pending.set(1 + sends);
            if (sends > 0) {
                long now = clock.getAsLong();
                for (int i = 0; i < size; i++) {
                    Entry e = entries[i];
                    if (!e.publish) {
                        continue;
                    }
                    e.createdMs = now;
                    if (refused == null) {
                        publisher.send(e.push.recordKey(app), e.push.command(app, e.id, now), e);
                    } else {
                        e.onCompletion(null, refused);
                    }
                }
            }
            settled();
        }

        /**
         * Kafka has every accepted command: record each one's status (owner, creation and acceptance
         * time, retention) in one HSET and one PEXPIRE, issued together for the whole call, and answer
         * once they are written, so Revoke and GetMessageStatus work as soon as the call answered. A
         * push Kafka refused leaves no status behind.
         */
        private void stampAccepted() {
            phase = ACCEPTING;
            pending.set(1);
            byte[] owner = MessageStore.utf8(app);
            byte[] at = null;
            Consumer<CompletionStage<?>> watch = this::watch;
            writes.begin();
            try {
                for (int i = 0; i < size; i++) {
                    Entry e = entries[i];
                    if (e.publish && e.error == null) {
                        if (at == null) {
                            at = MessageStore.utf8(Long.toString(clock.getAsLong()));
                        }
                        writes.accepted(e.id, owner, e.createdMs, at, e.push.template().getTtlSeconds(), watch);
                    }
                }
            } finally {
                writes.end();
            }
            settled();
        }

        private void finish() {
            int failures = statusFailures.get();
            if (failures > 0) {
                // Kafka has the commands: they are accepted even though their status is incomplete
                long notLogged = statusFailureLog.pass();
                if (notLogged >= 0) {
                    log.warn("could not record message status app={} failed_writes={} messages={} error=\"{}\""
                            + " calls_not_logged={}", app, failures, size, String.valueOf(statusError), notLogged);
                }
            }
            for (int i = 0; i < size; i++) {
                Entry e = entries[i];
                if (e.follows != null) {
                    e.takeOutcomeOf(e.follows);
                }
            }
            if (batch) {
                for (int i = 0; i < size; i++) {
                    Status error = entries[i].error;
                    metrics.entry(error == null ? Status.Code.OK : error.getCode());
                }
            }
            done.complete(this);
        }

        /** Frees {@code e}'s reservation: its push was not accepted. A failure to free is left to the takeover age. */
        private CompletionStage<Boolean> release(Entry e) {
            return requestIds.release(app, e.push.requestId(), e.id);
        }

        /** What a push's failure answers, also for an entry of a batch. */
        private Status status(Throwable t) {
            return errors.status(t);
        }

        private void watch(CompletionStage<?> write) {
            pending.incrementAndGet();
            write.whenComplete(this);
        }

        /** A status write settled: its failure is logged once per call, never the push's failure. */
        @Override
        public void accept(Object reply, Throwable error) {
            if (error != null) {
                statusError = error;
                statusFailures.incrementAndGet();
            }
            settled();
        }

        /** The unary answer: the push's response, or what refused it. */
        PushResponse response() {
            Entry e = entries[0];
            if (e.error != null) {
                throw e.error.asRuntimeException();
            }
            return PushResponse.newBuilder().setMessageId(e.id).setDuplicate(e.duplicate).build();
        }

        /** The batch answer: one result per entry, in request order. */
        PushBatchResponse batchResponse() {
            PushBatchResponse.Builder out = PushBatchResponse.newBuilder();
            for (int i = 0; i < size; i++) {
                Entry e = entries[i];
                PushResult.Builder r = out.addResultsBuilder();
                if (e.error != null) {
                    String message = e.error.getDescription();
                    r.setError(PushError.newBuilder().setCode(e.error.getCode().value())
                            .setMessage(message == null ? "" : message)
                            .setRetryAfterMs((int) Math.min(Math.max(e.retryAfterMs, 0), Integer.MAX_VALUE)));
                } else {
                    r.setMessageId(e.id).setDuplicate(e.duplicate);
                }
            }
            return out.build();
        }
    }

    /** One push of a run; its own Kafka callback. Fields are published through the run's counter. */
    private static final class Entry implements Callback {
        private final Run run;
        private final ValidPush push;
        private long id;
        private boolean duplicate;
        private boolean publish;
        /** This entry holds its request id's reservation: it frees it when Kafka refuses the push. */
        private boolean reserved;
        /** An earlier entry of the call with the same request id, whose outcome this one answers. */
        private Entry follows;
        private long createdMs;
        private Status error;
        /** The retry hint of a refusal that has one (a rate quota), else -1. */
        private long retryAfterMs = -1;

        private Entry(Run run, ValidPush push) {
            this.run = run;
            this.push = push;
        }

        /** Has a request id to reserve at start: the first entry of the call with it, not refused. */
        private boolean reserves() {
            return push != null && error == null && follows == null && !push.requestId().isEmpty();
        }

        /** Holds the request id's reservation: to be produced to Kafka under {@code messageId}. */
        private void produce(long messageId, boolean dup) {
            id = messageId;
            duplicate = dup;
            publish = true;
            reserved = true;
        }

        /** An earlier push with the same request_id was accepted: answered with its id, not produced again. */
        private void answer(long earlier) {
            id = earlier;
            duplicate = true;
            publish = false;
        }

        /** Answers what the first entry with the same request id answers, as a duplicate of it. */
        private void takeOutcomeOf(Entry first) {
            if (first.error != null) {
                error = first.error;
            } else {
                id = first.id;
                duplicate = true;
            }
        }

        private void fail(Throwable t) {
            error = run.status(t);
            if (t instanceof Refusal refusal) {
                retryAfterMs = refusal.retryAfterMs();
            }
        }

        /** Kafka's answer; a refused push frees its reservation before the call answers, so a retry takes it over. */
        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (e == null) {
                run.settled();
                return;
            }
            fail(e);
            if (!reserved) {
                run.settled();
                return;
            }
            try {
                run.release(this).whenComplete((freed, error) -> run.settled());
            } catch (RuntimeException x) {
                run.settled();
            }
        }
    }
}
