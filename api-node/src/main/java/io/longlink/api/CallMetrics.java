package io.longlink.api;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Histogram;

/** Counts every API call by method and status code, and times it; outermost, so refusals count too. */
final class CallMetrics implements ServerInterceptor {
    private final Counter calls;
    private final Histogram seconds;

    CallMetrics(CollectorRegistry registry) {
        calls = Counter.build("longlink_api_calls_total", "API calls by method and gRPC status code")
                .labelNames("method", "code").register(registry);
        seconds = Histogram.build("longlink_api_call_seconds", "API call duration until the status is sent")
                .labelNames("method").buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
                .register(registry);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        long start = System.nanoTime();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                calls.labels(method, status.getCode().name()).inc();
                seconds.labels(method).observe((System.nanoTime() - start) / 1e9);
                super.close(status, trailers);
            }
        }, headers);
    }
}
