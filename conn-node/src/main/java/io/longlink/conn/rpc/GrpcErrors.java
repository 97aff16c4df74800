package io.longlink.conn.rpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps exceptions to gRPC statuses in one place: thrown by a handler (this interceptor closes the
 * call) or met asynchronously ({@link #status} for {@code onError}). Validation problems are
 * INVALID_ARGUMENT with the reason, overload is RESOURCE_EXHAUSTED, the rest INTERNAL (logged).
 */
public final class GrpcErrors implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    public static Status status(Throwable t) {
        if (t instanceof StatusRuntimeException e) {
            return e.getStatus();
        }
        if (t instanceof StatusException e) {
            return e.getStatus();
        }
        if (t instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(t.getMessage());
        }
        if (t instanceof RejectedExecutionException) {
            return Status.RESOURCE_EXHAUSTED.withDescription("conn-node is busy or stopping: " + t.getMessage());
        }
        if (t instanceof IllegalStateException) {
            return Status.UNAVAILABLE.withDescription(t.getMessage());
        }
        log.warn("unexpected error in a gRPC call", t);
        return Status.INTERNAL.withDescription("internal error: " + t.getClass().getSimpleName());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(call, headers);
        } catch (RuntimeException e) {
            call.close(status(e), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    closeQuietly(call, e);
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    closeQuietly(call, e);
                }
            }

            @Override
            public void onReady() {
                try {
                    super.onReady();
                } catch (RuntimeException e) {
                    closeQuietly(call, e);
                }
            }
        };
    }

    private static void closeQuietly(ServerCall<?, ?> call, RuntimeException e) {
        try {
            call.close(status(e), new Metadata());
        } catch (IllegalStateException alreadyClosed) {
            log.debug("call already closed when mapping error={}", e.toString());
        }
    }
}
