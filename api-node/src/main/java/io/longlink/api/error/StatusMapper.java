package io.longlink.api.error;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses. Refusals ({@link ApiException}) keep their
 * code and message; store and broker trouble is UNAVAILABLE (the caller may retry, with the same
 * request_id for pushes); anything else is INTERNAL with a short message and one log line, never
 * with request content.
 */
public final class StatusMapper {
    private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

    private StatusMapper() {
    }

    public static StatusRuntimeException toException(Throwable t) {
        return toStatus(t).asRuntimeException();
    }

    public static Status toStatus(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof ApiException api) {
            return Status.fromCode(api.code()).withDescription(api.getMessage());
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (e instanceof StatusException se) {
            return se.getStatus();
        }
        if (e instanceof RedisCommandTimeoutException || e instanceof RedisConnectionException) {
            return Status.UNAVAILABLE.withDescription("redis: " + e.getMessage() + " (retry later)");
        }
        if (e instanceof RedisException) {
            log.warn("redis command failed", e);
            return Status.UNAVAILABLE.withDescription("redis: " + e.getMessage());
        }
        if (e instanceof RetriableException || e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return Status.UNAVAILABLE.withDescription("kafka: " + e.getMessage() + " (retry later)");
        }
        if (e instanceof KafkaException) {
            log.warn("kafka call failed", e);
            return Status.UNAVAILABLE.withDescription("kafka: " + e.getMessage());
        }
        if (e instanceof TimeoutException) {
            return Status.UNAVAILABLE.withDescription("timed out: " + e.getMessage() + " (retry later)");
        }
        if (e instanceof CancellationException) {
            return Status.CANCELLED.withDescription("cancelled");
        }
        log.error("unexpected failure in an API call", e);
        return Status.INTERNAL.withDescription("internal error (" + e.getClass().getSimpleName() + "); see api-node log");
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
