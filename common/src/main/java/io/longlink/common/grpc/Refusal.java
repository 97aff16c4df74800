package io.longlink.common.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;

/**
 * A refusal the caller can act on: a gRPC status code and a message that says what was wrong and
 * what was expected. Thrown anywhere behind a gRPC server; turned into a status by
 * {@link GrpcErrors} only. Without a stack trace: it is an answer, not a bug.
 */
public final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status.Code code;
    /** When the refused call may succeed if sent again, in ms from now; -1 when waiting alone does not help. */
    private final long retryAfterMs;

    public Refusal(Status.Code code, String message) {
        this(code, message, -1);
    }

    private Refusal(Status.Code code, String message, long retryAfterMs) {
        super(requireNonNull(message, "message"), null, false, false);
        this.code = requireNonNull(code, "code");
        this.retryAfterMs = retryAfterMs;
    }

    public Status.Code code() {
        return code;
    }

    /** In ms, when a retry may be taken; -1 for none. {@link GrpcErrors} sends it as trailers. */
    public long retryAfterMs() {
        return retryAfterMs;
    }

    /** {@code field: value (expected: ...)}. */
    public static Refusal invalid(String field, Object value, String expected) {
        return invalid(field + ": " + value + " (expected: " + expected + ")");
    }

    /** INVALID_ARGUMENT with the reason as its message. */
    public static Refusal invalid(String reason) {
        return new Refusal(Status.Code.INVALID_ARGUMENT, reason);
    }

    public static Refusal unauthenticated(String message) {
        return new Refusal(Status.Code.UNAUTHENTICATED, message);
    }

    public static Refusal permissionDenied(String message) {
        return new Refusal(Status.Code.PERMISSION_DENIED, message);
    }

    public static Refusal notFound(String message) {
        return new Refusal(Status.Code.NOT_FOUND, message);
    }

    public static Refusal unavailable(String message) {
        return new Refusal(Status.Code.UNAVAILABLE, message);
    }

    public static Refusal exhausted(String message) {
        return new Refusal(Status.Code.RESOURCE_EXHAUSTED, message);
    }

    /** RESOURCE_EXHAUSTED that a retry after {@code retryAfterMs} (at least 1) may pass: a rate quota. */
    public static Refusal overQuota(String message, long retryAfterMs) {
        if (retryAfterMs < 1) {
            throw new IllegalArgumentException("retryAfterMs: " + retryAfterMs + " (expected: at least 1)");
        }
        return new Refusal(Status.Code.RESOURCE_EXHAUSTED, message, retryAfterMs);
    }
}
