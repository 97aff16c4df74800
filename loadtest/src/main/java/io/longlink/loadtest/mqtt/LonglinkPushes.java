package io.longlink.loadtest.mqtt;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushResult;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Pushes through Longlink's public gRPC API, as a business system sends them: broadcasts (one Push
 * call each) and unicasts (PushBatch calls of many) of one app with a TTL, so MQTT devices get them
 * at QoS 1 and their PUBACKs are tracked; at most {@code window} calls unanswered. Every accepted
 * message id is kept.
 */
final class LonglinkPushes implements AutoCloseable {
    private static final Metadata.Key<String> APP_KEY = Metadata.Key.of("x-longlink-app-key",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> APP_SECRET = Metadata.Key.of("x-longlink-app-secret",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> ADMIN_TOKEN = Metadata.Key.of("x-longlink-admin-token",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final ByteString PAYLOAD = ByteString.copyFromUtf8("mqtt-fanout");

    private final ManagedChannel channel;
    private final Semaphore window;
    private final int windowSize;
    private final int ttlSeconds;
    private final ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private PushServiceGrpc.PushServiceStub push;

    LonglinkPushes(String api, int window, int ttlSeconds) {
        this.channel = NettyChannelBuilder.forTarget(requireNonNull(api, "api")).usePlaintext().build();
        this.window = new Semaphore(window);
        this.windowSize = window;
        this.ttlSeconds = ttlSeconds;
    }

    /** Creates the app through the admin API and pushes for it from now on. */
    CreateAppResponse createApp(String adminToken, String name) {
        Metadata admin = new Metadata();
        admin.put(ADMIN_TOKEN, requireNonNull(adminToken, "adminToken"));
        CreateAppResponse app = AppAdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(admin))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .createApp(CreateAppRequest.newBuilder().setName(name).build());
        Metadata creds = new Metadata();
        creds.put(APP_KEY, app.getAppKey());
        creds.put(APP_SECRET, app.getSecret());
        push = PushServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(creds));
        return app;
    }

    void broadcast() throws InterruptedException {
        send(Audience.newBuilder().setBroadcast(true).build());
    }

    /** One PushBatch call with a unicast push per device, as a business system sends personal messages. */
    void unicasts(List<String> deviceIds) throws InterruptedException {
        PushBatchRequest.Builder batch = PushBatchRequest.newBuilder();
        for (String d : deviceIds) {
            batch.addPushes(request(Audience.newBuilder().setDevices(DeviceList.newBuilder().addDeviceIds(d)).build()));
        }
        acquire();
        push.withDeadlineAfter(30, TimeUnit.SECONDS).pushBatch(batch.build(), new Answer<PushBatchResponse>(r -> {
            for (PushResult e : r.getResultsList()) {
                if (e.hasError()) {
                    failure.compareAndSet(null, new IllegalStateException("entry refused: " + e.getError()));
                } else {
                    accepted.add(e.getMessageId());
                }
            }
        }));
    }

    private PushRequest request(Audience audience) {
        return PushRequest.newBuilder().setAudience(audience).setPayload(PAYLOAD).setTtlSeconds(ttlSeconds).build();
    }

    private void acquire() throws InterruptedException {
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("a push failed: " + failed, failed);
        }
        if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no answer from the API for 30 s");
        }
    }

    private void send(Audience audience) throws InterruptedException {
        acquire();
        push.withDeadlineAfter(30, TimeUnit.SECONDS).push(request(audience),
                new Answer<PushResponse>(r -> accepted.add(r.getMessageId())));
    }

    /** Waits until every push sent was answered; throws if one failed. */
    void awaitAnswers() throws InterruptedException {
        if (!window.tryAcquire(windowSize, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pushes unanswered after 60 s");
        }
        window.release(windowSize);
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("a push failed: " + failed, failed);
        }
    }

    /** Message ids accepted so far, in answer order. */
    List<Long> accepted() {
        return List.copyOf(accepted);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** One call's answer: its content to {@code onAnswer}, a failure kept, the call's window slot freed either way. */
    private final class Answer<T> implements StreamObserver<T> {
        private final Consumer<T> onAnswer;

        Answer(Consumer<T> onAnswer) {
            this.onAnswer = onAnswer;
        }

        @Override
        public void onNext(T answer) {
            onAnswer.accept(answer);
        }

        @Override
        public void onError(Throwable t) {
            failure.compareAndSet(null, t);
            window.release();
        }

        @Override
        public void onCompleted() {
            window.release();
        }
    }
}
