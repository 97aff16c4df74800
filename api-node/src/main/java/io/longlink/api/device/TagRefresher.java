package io.longlink.api.device;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.PeerChannels;
import io.longlink.common.grpc.InternalTls;
import io.longlink.common.redis.Route;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.RefreshTagsRequest;
import io.longlink.proto.internal.RefreshTagsResponse;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After AddTags/RemoveTags, asks the conn-node that holds the device's connection to reload the
 * device's tags (RefreshTags), so tag pushes follow the change without a reconnect. Best effort:
 * the tags are already in Redis and every CONNECT loads them, so a failure is logged and counted,
 * never returned to the caller. One channel per conn-node, kept while the node is a member.
 */
public final class TagRefresher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TagRefresher.class);

    /** What became of a refresh; the metric label. */
    public enum Result {
        /** The conn-node reloaded the tags. */
        REFRESHED,
        /** No route, or its node is not a live member: the device loads its tags when it connects. */
        OFFLINE,
        /** The node answered that the device is not (or no longer) connected there. */
        NOT_CONNECTED,
        /** The call failed or missed its deadline. */
        FAILED,
        /** Refreshes are turned off (api.tag-refresh-timeout-ms = 0). */
        DISABLED
    }

    private final Membership connNodes;
    private final long timeoutMs;
    private final PeerChannels peers;
    private final Counter.Child[] results;

    /** @param tls mutual TLS of the internal plane, or plaintext */
    public TagRefresher(Membership connNodes, long timeoutMs, InternalTls tls, CollectorRegistry registry) {
        this.connNodes = requireNonNull(connNodes, "connNodes");
        requireNonNull(tls, "tls");
        this.timeoutMs = timeoutMs;
        Counter c = Counter.build("longlink_api_tag_refreshes_total",
                "RefreshTags calls to conn-nodes after tag changes, by result").labelNames("result").register(registry);
        results = new Counter.Child[Result.values().length];
        for (Result r : Result.values()) {
            results[r.ordinal()] = c.labels(r.name().toLowerCase(java.util.Locale.ROOT));
        }
        peers = new PeerChannels(connNodes, "grpc", address -> tls.applyTo(NettyChannelBuilder.forTarget(address)).build());
    }

    /**
     * Refreshes the device's tags on the node its route names. Never completes exceptionally.
     *
     * @param route the device's route, or null when it has none
     */
    public CompletionStage<Result> refresh(String appKey, String deviceId, Route route) {
        if (timeoutMs == 0) {
            return done(Result.DISABLED);
        }
        if (route == null) {
            return done(Result.OFFLINE);
        }
        NodeInfo node = connNodes.get(route.nodeId());
        ManagedChannel channel = node == null ? null : peers.channel(node);
        if (channel == null) {
            return done(Result.OFFLINE);
        }
        RefreshTagsRequest request = RefreshTagsRequest.newBuilder().setAppKey(appKey).setDeviceId(deviceId)
                .setConnectionId(route.connectionId()).build();
        CompletableFuture<Result> result = new CompletableFuture<>();
        try {
            ConnNodeGrpc.newStub(channel).withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                    .refreshTags(request, new StreamObserver<>() {
                        @Override
                        public void onNext(RefreshTagsResponse r) {
                            result.complete(r.getRefreshed() ? Result.REFRESHED : Result.NOT_CONNECTED);
                        }

                        @Override
                        public void onError(Throwable t) {
                            log.warn("tag refresh failed; the device gets its new tags when it reconnects"
                                    + " node={} app={} device={} error=\"{}\"", node.id(), appKey, deviceId, t.toString());
                            result.complete(Result.FAILED);
                        }

                        @Override
                        public void onCompleted() {
                            result.complete(Result.FAILED); // no-op when onNext came first
                        }
                    });
        } catch (RuntimeException e) {
            log.warn("tag refresh not sent node={} app={} device={} error=\"{}\"", node.id(), appKey, deviceId,
                    e.toString());
            result.complete(Result.FAILED);
        }
        return result.thenApply(this::count);
    }

    /** The route lookup itself failed: nothing was sent. */
    public CompletionStage<Result> routeUnreadable(String appKey, String deviceId, Throwable error) {
        log.warn("tag refresh skipped: route unreadable app={} device={} error=\"{}\"", appKey, deviceId,
                error.toString());
        return done(Result.FAILED);
    }

    private CompletionStage<Result> done(Result r) {
        return CompletableFuture.completedFuture(count(r));
    }

    private Result count(Result r) {
        results[r.ordinal()].inc();
        return r;
    }

    @Override
    public void close() {
        peers.close();
    }
}
