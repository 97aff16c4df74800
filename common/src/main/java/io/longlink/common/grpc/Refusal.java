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

    public Refusal(Status.Code code, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.code = requireNonNull(code, "code");
    }

    public Status.Code code() {
        return code;
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
}
