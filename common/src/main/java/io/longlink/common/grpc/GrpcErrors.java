package io.longlink.common.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.longlink.common.log.LogThrottle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses, for every gRPC server of every node: as an
 * interceptor (a handler that throws), through {@link #status} (a failure met later, for
 * {@code onError}) and {@link #unary} (a unary call answered by a future). The same failure gets
 * the same status on every surface:
 * <ul>
 * <li>a {@link Refusal} keeps its code and message (validation: INVALID_ARGUMENT with the reason);
 * one with a retry hint also sends the trailers {@code retry-after-ms} and {@code grpc-retry-pushback-ms}
 * (the one gRPC's own retry policy honours), both in ms;
 * <li>a status exception keeps its status;
 * <li>a {@link RejectedExecutionException} (overload, shutdown) is RESOURCE_EXHAUSTED;
 * <li>Redis or Kafka unavailable or timed out, a store connection lost under a command (an
 * IOException), and any timeout, are UNAVAILABLE naming what did not
 * answer (the caller may retry). While a store is down every call fails this way: such failures are
 * logged at most once a second per store, with the count of the ones not logged and no stack trace;
 * <li>anything else is a bug: INTERNAL naming only the exception class, logged once with its stack,
 * never with request content. A plain IllegalArgumentException is such a bug, not a refusal.
 * </ul>
 */
public final class GrpcErrors implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);
    /** Trailer: ms after which a refused call may be sent again (a rate quota's next token). */
    public static final Metadata.Key<String> RETRY_AFTER_MS =
            Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);
    /** The same hint under gRPC's standard name, which a client's retry policy waits for. */
    public static final Metadata.Key<String> RETRY_PUSHBACK_MS =
            Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    private final String node;
    private final LogThrottle redisFailures;
    private final LogThrottle kafkaFailures;
    private final LogThrottle connectionFailures;

    /**
     * @param node what the node is called in messages: {@code api-node}, {@code conn-node}
     */
    public GrpcErrors(String node) {
        this(node, System::nanoTime);
    }

    GrpcErrors(String node, LongSupplier nanoClock) {
        this.node = requireNonNull(node, "node");
        this.redisFailures = new LogThrottle(nanoClock);
        this.kafkaFailures = new LogThrottle(nanoClock);
        this.connectionFailures = new LogThrottle(nanoClock);
    }

    public StatusRuntimeException exception(Throwable t) {
        return status(t).asRuntimeException(trailers(t));
    }

    /** What a call refused with {@code t} sends as trailers: the retry hint of a refusal that has one. */
    static Metadata trailers(Throwable t) {
        Metadata trailers = new Metadata();
        if (unwrap(t) instanceof Refusal refusal && refusal.retryAfterMs() >= 0) {
            String ms = Long.toString(refusal.retryAfterMs());
            trailers.put(RETRY_AFTER_MS, ms);
            trailers.put(RETRY_PUSHBACK_MS, ms);
        }
        return trailers;
    }

    public Status status(Throwable t) {
        Throwable e = unwrap(requireNonNull(t, "t"));
        if (e instanceof Refusal refusal) {
            return Status.fromCode(refusal.code()).withDescription(refusal.getMessage());
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (e instanceof StatusException se) {
            return se.getStatus();
        }
        if (e instanceof RejectedExecutionException) {
            return Status.RESOURCE_EXHAUSTED.withDescription(node + " is busy or stopping: " + e.getMessage());
        }
        if (e instanceof RedisCommandTimeoutException || e instanceof RedisConnectionException) {
            storm(redisFailures, "redis", e);
            return Status.UNAVAILABLE.withDescription("redis: " + e.getMessage() + " (retry later)");
        }
        if (e instanceof RedisException) {
            storm(redisFailures, "redis", e);
            return Status.UNAVAILABLE.withDescription("redis: " + e.getMessage());
        }
        if (e instanceof RetriableException || e instanceof org.apache.kafka.common.errors.TimeoutException) {
            storm(kafkaFailures, "kafka", e);
            return Status.UNAVAILABLE.withDescription("kafka: " + e.getMessage() + " (retry later)");
        }
        if (e instanceof KafkaException) {
            storm(kafkaFailures, "kafka", e);
            return Status.UNAVAILABLE.withDescription("kafka: " + e.getMessage());
        }
        if (e instanceof java.io.IOException) {
            // a store's connection reset or closed under a command (Lettuce fails what it had sent)
            storm(connectionFailures, "a store connection", e);
            return Status.UNAVAILABLE.withDescription("connection lost: " + e.getMessage() + " (retry later)");
        }
        if (e instanceof TimeoutException) {
            return Status.UNAVAILABLE.withDescription("timed out: " + e.getMessage() + " (retry later)");
        }
        if (e instanceof CancellationException) {
            return Status.CANCELLED.withDescription("cancelled");
        }
        log.error("unexpected failure in a gRPC call", e);
        return Status.INTERNAL.withDescription("internal error (" + e.getClass().getSimpleName() + "); see " + node
                + " log");
    }

    /** A call failed because {@code store} did not answer: one line a second at most, without the stack. */
    private static void storm(LogThrottle throttle, String store, Throwable e) {
        long held = throttle.pass();
        if (held >= 0) {
            log.warn("{} failed; calls answered UNAVAILABLE error=\"{}\" failures_not_logged={}", store, e, held);
        }
    }

    /**
     * Runs a unary call's work and answers it: the value, or the failure's status whether the work
     * threw at once or its future failed later on a store or broker thread.
     */
    public <T> void unary(StreamObserver<T> observer, Supplier<? extends CompletionStage<T>> work) {
        CompletionStage<T> stage;
        try {
            stage = work.get();
        } catch (RuntimeException e) {
            fail(observer, e);
            return;
        }
        stage.whenComplete((value, error) -> {
            if (error != null) {
                fail(observer, error);
                return;
            }
            try {
                observer.onNext(value);
                observer.onCompleted();
            } catch (RuntimeException alreadyClosed) {
                // the caller cancelled or its deadline passed; nothing is left to tell it
            }
        });
    }

    /** Closes {@code call} with the status of {@code t}; quiet when the call is already closed. */
    public void close(ServerCall<?, ?> call, Throwable t) {
        try {
            call.close(status(t), trailers(t));
        } catch (IllegalStateException alreadyClosed) {
            log.debug("call already closed when mapping error={}", t.toString());
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(call, headers);
        } catch (RuntimeException e) {
            close(call, e);
            return new ServerCall.Listener<>() {
            };
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    close(call, e);
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    close(call, e);
                }
            }

            @Override
            public void onReady() {
                try {
                    super.onReady();
                } catch (RuntimeException e) {
                    close(call, e);
                }
            }
        };
    }

    private void fail(StreamObserver<?> observer, Throwable error) {
        try {
            observer.onError(exception(error));
        } catch (RuntimeException alreadyClosed) {
            // as above: the call is already over
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
