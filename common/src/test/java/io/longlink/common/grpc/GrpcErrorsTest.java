package io.longlink.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.longlink.common.testing.LogCapture;
import io.longlink.common.testing.RecordingObserver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GrpcErrorsTest {
    private static final MethodDescriptor<String, String> METHOD = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Service/Call")
            .setRequestMarshaller(new Utf8()).setResponseMarshaller(new Utf8()).build();

    private final GrpcErrors errors = new GrpcErrors("test-node");
    @RegisterExtension
    final LogCapture logged = new LogCapture(GrpcErrors.class);

    @Test
    void status_whenRefusalWrapped_thenItsCodeAndMessage() {
        Status s = errors.status(new CompletionException(new ExecutionException(
                Refusal.invalid("payload", "5000 bytes", "at most 4096"))));

        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).isEqualTo("payload: 5000 bytes (expected: at most 4096)");
        assertThat(logged.events()).isEmpty();
    }

    static Stream<Arguments> status_thenMappedCodeAndDescription() {
        return Stream.of(
                arguments(named("a validation reason: INVALID_ARGUMENT with the reason",
                                Refusal.invalid("app_key and device_id are required")),
                        Status.Code.INVALID_ARGUMENT, "app_key and device_id are required"),
                arguments(named("a StatusException: its status", new CompletionException(
                                Status.DEADLINE_EXCEEDED.withDescription("late").asRuntimeException())),
                        Status.Code.DEADLINE_EXCEEDED, "late"),
                arguments(named("Redis unreachable: UNAVAILABLE, to retry",
                                new CompletionException(new RedisConnectionException("Connection refused"))),
                        Status.Code.UNAVAILABLE, "redis: Connection refused (retry later)"),
                arguments(named("a store's connection reset under a command: UNAVAILABLE, to retry",
                                new CompletionException(new java.io.IOException("Connection reset by peer"))),
                        Status.Code.UNAVAILABLE, "connection lost: Connection reset by peer (retry later)"),
                arguments(named("a wait timed out: UNAVAILABLE",
                                new java.util.concurrent.TimeoutException("no answer in 500 ms")),
                        Status.Code.UNAVAILABLE, "timed out: no answer in 500 ms (retry later)"),
                arguments(named("rejected execution: RESOURCE_EXHAUSTED naming the node",
                                new RejectedExecutionException("too many FanOut calls in progress")),
                        Status.Code.RESOURCE_EXHAUSTED,
                        "test-node is busy or stopping: too many FanOut calls in progress"));
    }

    @ParameterizedTest
    @MethodSource
    void status_thenMappedCodeAndDescription(Throwable error, Status.Code code, String description) {
        Status s = errors.status(error);

        assertThat(s.getCode()).isEqualTo(code);
        assertThat(s.getDescription()).isEqualTo(description);
    }

    static Stream<Arguments> status_whenAStoreTimesOut_thenUnavailableNamingIt() {
        return Stream.of(
                arguments(named("Kafka", new TimeoutException("Topic t not present in metadata after 2000 ms.")),
                        "kafka: Topic t not present"),
                arguments(named("Redis", new RedisCommandTimeoutException("Command timed out after 5 second(s)")),
                        "redis: "));
    }

    @ParameterizedTest
    @MethodSource
    void status_whenAStoreTimesOut_thenUnavailableNamingIt(Throwable timeout, String descriptionStart) {
        Status s = errors.status(timeout);

        assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(s.getDescription()).startsWith(descriptionStart);
    }

    @Test
    void status_whenRedisRejectsEveryCallOfAStorm_thenUnavailableAndOneLineWithoutStack() {
        for (int i = 0; i < 200; i++) {
            Status s = errors.status(new CompletionException(
                    new RedisException("Currently not connected. Commands are rejected.")));

            assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(s.getDescription()).isEqualTo("redis: Currently not connected. Commands are rejected.");
        }

        assertThat(logged.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("redis").contains("Currently not connected");
            assertThat(e.getThrowableProxy()).isNull();
        });
    }

    @Test
    void status_whenAStoreStaysDown_thenOneLineASecondPerStoreCountingTheFailuresNotLogged() {
        AtomicLong nanos = new AtomicLong();
        GrpcErrors clocked = new GrpcErrors("test-node", nanos::get);
        for (int i = 0; i < 5; i++) {
            clocked.status(new RedisConnectionException("Connection refused"));
        }
        clocked.status(new NotEnoughReplicasException("isr"));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        clocked.status(new RedisCommandTimeoutException("Command timed out"));

        assertThat(logged.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "redis failed; calls answered UNAVAILABLE error=\"io.lettuce.core.RedisConnectionException:"
                        + " Connection refused\" failures_not_logged=0",
                "kafka failed; calls answered UNAVAILABLE error=\"org.apache.kafka.common.errors."
                        + "NotEnoughReplicasException: isr\" failures_not_logged=0",
                "redis failed; calls answered UNAVAILABLE error=\"io.lettuce.core.RedisCommandTimeoutException:"
                        + " Command timed out\" failures_not_logged=4");
        assertThat(logged.events()).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
    }

    @Test
    void status_whenKafkaRetriable_thenUnavailable() {
        assertThat(errors.status(new NotEnoughReplicasException("isr")).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void status_whenCancelled_thenCancelled() {
        assertThat(errors.status(new CancellationException()).getCode()).isEqualTo(Status.Code.CANCELLED);
    }

    @Test
    void status_whenUnexpected_thenInternalWithoutDetailsAndLoggedOnceWithStack() {
        IllegalStateException bug = new IllegalStateException("secret-bearing detail");

        Status s = errors.status(new CompletionException(bug));

        assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(s.getDescription()).doesNotContain("secret-bearing")
                .isEqualTo("internal error (IllegalStateException); see test-node log");
        assertThat(logged.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).doesNotContain("secret-bearing");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("secret-bearing detail");
            assertThat(e.getThrowableProxy().getStackTraceElementProxyArray()).isNotEmpty();
        });
    }

    @Test
    void status_whenPlainIllegalArgument_thenInternalNotARefusal() {
        Status s = errors.status(new NumberFormatException("For input string: \"x\""));

        assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(s.getDescription()).doesNotContain("input string");
    }

    @Test
    void interceptCall_whenStartThrows_thenClosedWithTheMappedStatus() {
        RecordingCall call = new RecordingCall();
        ServerCallHandler<String, String> handler = (c, h) -> {
            throw Refusal.unauthenticated("metadata x-key: missing");
        };

        ServerCall.Listener<String> listener = errors.interceptCall(call, new Metadata(), handler);
        listener.onHalfClose();

        assertThat(call.closed).singleElement().satisfies(s -> {
            assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(s.getDescription()).isEqualTo("metadata x-key: missing");
        });
    }

    @Test
    void interceptCall_whenHandlerThrowsOnHalfClose_thenClosedWithTheMappedStatus() {
        RecordingCall call = new RecordingCall();
        ServerCallHandler<String, String> handler = (c, h) -> new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
                throw new RejectedExecutionException("queue full");
            }
        };

        errors.interceptCall(call, new Metadata(), handler).onHalfClose();

        assertThat(call.closed).extracting(Status::getCode).containsExactly(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void interceptCall_whenHandlerThrowsAfterTheCallClosed_thenQuiet() {
        RecordingCall call = new RecordingCall();
        ServerCallHandler<String, String> handler = (c, h) -> new ServerCall.Listener<>() {
            @Override
            public void onMessage(String message) {
                c.close(Status.OK, new Metadata());
                throw Refusal.invalid("too late");
            }
        };

        errors.interceptCall(call, new Metadata(), handler).onMessage("m");

        assertThat(call.closed).extracting(Status::getCode).containsExactly(Status.Code.OK);
    }

    @Test
    void exception_whenOverQuotaWrapped_thenRetryHintInBothTrailers() {
        Metadata trailers = errors.exception(new CompletionException(Refusal.overQuota("pushes_per_s", 250)))
                .getTrailers();

        assertThat(trailers.get(GrpcErrors.RETRY_AFTER_MS)).isEqualTo("250");
        assertThat(trailers.get(GrpcErrors.RETRY_PUSHBACK_MS)).isEqualTo("250");
    }

    @Test
    void exception_whenRefusalWithoutHint_thenNoRetryTrailers() {
        Metadata trailers = errors.exception(Refusal.exhausted("api.max-inflight-pushes")).getTrailers();

        assertThat(trailers.keys()).doesNotContain(GrpcErrors.RETRY_AFTER_MS.name(), GrpcErrors.RETRY_PUSHBACK_MS.name());
    }

    @Test
    void interceptCall_whenOverQuota_thenClosedWithTheRetryTrailers() {
        RecordingCall call = new RecordingCall();
        ServerCallHandler<String, String> handler = (c, h) -> {
            throw Refusal.overQuota("fanouts_per_s", 1_000);
        };

        errors.interceptCall(call, new Metadata(), handler);

        assertThat(call.closed).extracting(Status::getCode).containsExactly(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(call.trailers).singleElement().satisfies(t -> {
            assertThat(t.get(GrpcErrors.RETRY_AFTER_MS)).isEqualTo("1000");
            assertThat(t.get(GrpcErrors.RETRY_PUSHBACK_MS)).isEqualTo("1000");
        });
    }

    @Test
    void unary_whenWorkThrows_thenErrorWithTheMappedStatus() {
        RecordingObserver<String> out = new RecordingObserver<>();

        errors.unary(out, () -> {
            throw Refusal.notFound("message_id: 7");
        });

        assertThat(out.values()).isEmpty();
        assertThat(out.ends()).singleElement().satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void unary_whenFutureFailsLater_thenErrorWithTheMappedStatus() {
        RecordingObserver<String> out = new RecordingObserver<>();
        CompletableFuture<String> later = new CompletableFuture<>();

        errors.unary(out, () -> later.thenApply(v -> v));
        later.completeExceptionally(new RedisCommandTimeoutException("slow"));

        assertThat(out.ends()).extracting(Status::getCode).containsExactly(Status.Code.UNAVAILABLE);
    }

    @Test
    void unary_whenFutureCompletes_thenValueAndCompleted() {
        RecordingObserver<String> out = new RecordingObserver<>();

        errors.unary(out, () -> CompletableFuture.completedFuture("v"));

        assertThat(out.values()).containsExactly("v");
        assertThat(out.ends()).containsExactly(Status.OK);
    }

    private static final class RecordingCall extends ServerCall<String, String> {
        final List<Status> closed = new ArrayList<>();
        final List<Metadata> trailers = new ArrayList<>();

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(String message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (!closed.isEmpty()) {
                throw new IllegalStateException("call already closed");
            }
            closed.add(status);
            this.trailers.add(trailers);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            return METHOD;
        }
    }

    private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
