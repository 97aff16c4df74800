package io.longlink.api.error;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;

/**
 * A refusal the caller can act on: a gRPC status code and a message that says what was wrong and
 * what was expected. Thrown anywhere in the API; turned into a status by {@link StatusMapper} only.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status.Code code;

    public ApiException(Status.Code code, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.code = requireNonNull(code, "code");
    }

    public Status.Code code() {
        return code;
    }

    /** {@code field: value (expected: ...)}. */
    public static ApiException invalid(String field, Object value, String expected) {
        return new ApiException(Status.Code.INVALID_ARGUMENT, field + ": " + value + " (expected: " + expected + ")");
    }

    public static ApiException unauthenticated(String message) {
        return new ApiException(Status.Code.UNAUTHENTICATED, message);
    }

    public static ApiException permissionDenied(String message) {
        return new ApiException(Status.Code.PERMISSION_DENIED, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Status.Code.NOT_FOUND, message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(Status.Code.UNAVAILABLE, message);
    }

    public static ApiException exhausted(String message) {
        return new ApiException(Status.Code.RESOURCE_EXHAUSTED, message);
    }
}
