package io.longlink.conn.rpc;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.conn.broadcast.FanOutCopies;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.conn.session.ConnectionIds;
import io.longlink.conn.session.Session;
import io.longlink.conn.session.SessionIndex;
import io.longlink.conn.session.SessionLayer;
import io.longlink.conn.store.RedisBatcher;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.DeliveryBatch;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.KickRequest;
import io.longlink.proto.internal.KickResponse;
import io.longlink.proto.internal.RefreshTagsRequest;
import io.longlink.proto.internal.RefreshTagsResponse;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The internal ConnNode gRPC service: Deliver, FanOut, Kick and RefreshTags. Exceptions become
 * statuses in {@link GrpcErrors}.
 */
public final class ConnNodeService extends ConnNodeGrpc.ConnNodeImplBase {
    private final SessionIndex index;
    private final SessionLayer sessions;
    private final Deliveries deliveries;
    private final FanOuts fanOuts;
    private final int window;
    private final ConnMetrics metrics;
    private final GrpcErrors errors;

    public ConnNodeService(SessionLayer sessions, FanOutCopies copies, ScheduledExecutorService fanOutExecutor,
                           int maxConcurrentFanOuts, int maxSpreads, int fanOutLingerMs, RedisBatcher batcher, int window,
                           ConnMetrics metrics, GrpcErrors errors) {
        this.sessions = requireNonNull(sessions, "sessions");
        this.index = sessions.index();
        this.metrics = requireNonNull(metrics, "metrics");
        this.deliveries = new Deliveries(index, sessions.delivery(), metrics);
        this.fanOuts = new FanOuts(index, sessions.delivery(), copies, fanOutExecutor, maxConcurrentFanOuts, maxSpreads,
                fanOutLingerMs, batcher, metrics);
        this.window = window;
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public StreamObserver<DeliveryBatch> deliver(StreamObserver<DeliveryResult> responses) {
        return new DeliverStream((ServerCallStreamObserver<DeliveryResult>) responses, deliveries, window);
    }

    @Override
    public void fanOut(FanOutRequest request, StreamObserver<FanOutResponse> responses) {
        fanOuts.run(request).whenComplete((r, e) -> {
            if (e != null) {
                responses.onError(errors.exception(e));
                return;
            }
            responses.onNext(r);
            responses.onCompleted();
        });
    }

    @Override
    public void kick(KickRequest request, StreamObserver<KickResponse> responses) {
        if (request.getAppKey().isEmpty() || request.getDeviceId().isEmpty() || request.getConnectionId().isEmpty()) {
            throw Refusal.invalid("app_key, device_id and connection_id are required");
        }
        metrics.kicksReceived.inc();
        Session s = index.find(request.getAppKey(), request.getDeviceId());
        boolean kicked = s != null
                && ConnectionIds.parse(request.getConnectionId(), ~s.connectionId()) == s.connectionId();
        if (kicked) {
            sessions.delivery().kick(s, request.getReason().isEmpty() ? "another connection of this device took over"
                    : request.getReason());
        }
        responses.onNext(KickResponse.newBuilder().setKicked(kicked).build());
        responses.onCompleted();
    }

    @Override
    public void refreshTags(RefreshTagsRequest request, StreamObserver<RefreshTagsResponse> responses) {
        if (request.getAppKey().isEmpty() || request.getDeviceId().isEmpty()) {
            throw Refusal.invalid("app_key and device_id are required");
        }
        Session s = index.find(request.getAppKey(), request.getDeviceId());
        if (s == null || (!request.getConnectionId().isEmpty()
                && ConnectionIds.parse(request.getConnectionId(), ~s.connectionId()) != s.connectionId())) {
            metrics.tagRefreshesNotHere.inc();
            responses.onNext(RefreshTagsResponse.getDefaultInstance());
            responses.onCompleted();
            return;
        }
        sessions.tags().refresh(s).whenComplete((tags, e) -> {
            if (e != null) {
                responses.onError(errors.exception(e));
                return;
            }
            boolean refreshed = tags >= 0;
            (refreshed ? metrics.tagRefreshes : metrics.tagRefreshesNotHere).inc();
            responses.onNext(RefreshTagsResponse.newBuilder().setRefreshed(refreshed).setTags(Math.max(0, tags))
                    .build());
            responses.onCompleted();
        });
    }
}
