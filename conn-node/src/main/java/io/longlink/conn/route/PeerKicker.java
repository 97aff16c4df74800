package io.longlink.conn.route;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.PeerChannels;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.grpc.InternalTls;
import io.longlink.common.log.LogThrottle;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.KickRequest;
import io.longlink.proto.internal.KickResponse;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kicks a device's previous connection held by another conn-node (duplicate login across nodes):
 * a Kick call naming the old connection id, so the other node closes it only if it is still that
 * connection. The node is looked up in the membership view; if the view does not know it (it
 * registered a moment ago, or it is gone), ZooKeeper is asked directly, so a young node's
 * connections are kicked too. A node that is not registered at all is dead and its connections
 * with it.
 *
 * <p>A kick that fails (the node unreachable, the deadline passed) is tried again with backoff
 * (200 ms doubling to 5 s) until the node answers, leaves the membership, or {@link #GIVE_UP_MS}
 * passed: otherwise both connections would live on, both renewing the route. Failures are logged
 * once a second with a count.
 */
public final class PeerKicker implements PeerKicks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerKicker.class);
    static final long GIVE_UP_MS = 60_000;
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final String role;
    private final Membership membership;
    private final CuratorFramework zk;
    private final long timeoutMs;
    private final ScheduledExecutorService scheduler;
    private final ConnMetrics metrics;
    private final PeerChannels peers;
    private final LogThrottle failures = new LogThrottle();

    public PeerKicker(String role, Membership membership, CuratorFramework zk, long timeoutMs,
                      ScheduledExecutorService scheduler, EventLoopGroup group,
                      Class<? extends SocketChannel> channelType, InternalTls tls, ConnMetrics metrics) {
        this.role = requireNonNull(role, "role");
        this.membership = requireNonNull(membership, "membership");
        this.zk = requireNonNull(zk, "zk");
        this.timeoutMs = timeoutMs;
        this.scheduler = requireNonNull(scheduler, "scheduler");
        requireNonNull(group, "group");
        requireNonNull(channelType, "channelType");
        requireNonNull(tls, "tls");
        this.metrics = requireNonNull(metrics, "metrics");
        this.peers = new PeerChannels(membership, "grpc", address -> tls.applyTo(NettyChannelBuilder.forTarget(address))
                .eventLoopGroup(group).channelType(channelType).build());
    }

    @Override
    public void kick(String appKey, String deviceId, String nodeId, String connectionId) {
        new Kick(appKey, deviceId, nodeId, connectionId).attempt();
    }

    /** One kick, through its attempts. */
    private final class Kick {
        private final String appKey;
        private final String deviceId;
        private final String nodeId;
        private final String connectionId;
        private final long startNanos = System.nanoTime();
        private long backoffMs = FIRST_BACKOFF_MS;
        private int attempts;

        Kick(String appKey, String deviceId, String nodeId, String connectionId) {
            this.appKey = appKey;
            this.deviceId = deviceId;
            this.nodeId = nodeId;
            this.connectionId = connectionId;
        }

        void attempt() {
            attempts++;
            NodeInfo node = membership.get(nodeId);
            if (node != null) {
                send(node);
                return;
            }
            try {
                zk.getData().inBackground((client, event) -> {
                    if (event.getData() == null) {
                        gone();
                        return;
                    }
                    send(NodeInfo.decode(event.getData()));
                }).forPath(ZooKeeperPaths.node(role, nodeId));
            } catch (Exception e) {
                failed("cannot look up node", e);
            }
        }

        /** The node is not registered: it is dead, and its connections with it. */
        private void gone() {
            if (attempts > 1) {
                metrics.kicksGivenUp.inc();
                log.info("kick given up: the node left the membership node={} device={} conn={}", nodeId, deviceId,
                        connectionId);
            } else {
                log.debug("previous connection's node is gone; nothing to kick node={} device={}", nodeId, deviceId);
            }
        }

        private void send(NodeInfo node) {
            ManagedChannel channel = peers.channel(node);
            if (channel == null) {
                metrics.kickFailures.inc();
                log.warn("node has no grpc endpoint; cannot kick node={} device={}", node.id(), deviceId);
                return;
            }
            if (attempts > 1) {
                channel.resetConnectBackoff(); // try to connect now, not after the channel's own backoff
            }
            metrics.kicksSent.inc();
            KickRequest request = KickRequest.newBuilder().setAppKey(appKey).setDeviceId(deviceId)
                    .setConnectionId(connectionId).setReason("a newer connection of this device logged in elsewhere")
                    .build();
            ConnNodeGrpc.newStub(channel).withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                    .kick(request, new StreamObserver<>() {
                        @Override
                        public void onNext(KickResponse r) {
                            log.debug("kick answered node={} device={} conn={} kicked={} attempts={}", node.id(),
                                    deviceId, connectionId, r.getKicked(), attempts);
                        }

                        @Override
                        public void onError(Throwable t) {
                            failed("kick failed", t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
        }

        private void failed(String what, Throwable t) {
            metrics.kickFailures.inc();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            boolean retry = elapsedMs + backoffMs < GIVE_UP_MS;
            long held = failures.pass();
            if (held >= 0) {
                log.warn("{}; {} node={} device={} conn={} attempts={} error=\"{}\" (similar lines held back in the"
                        + " last second: {})", what, retry ? "retrying" : "giving up", nodeId, deviceId, connectionId,
                        attempts, t.toString(), held);
            }
            if (!retry) {
                metrics.kicksGivenUp.inc();
                return;
            }
            long delay = backoffMs;
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            try {
                scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
                metrics.kicksRetried.inc();
            } catch (RejectedExecutionException stopping) {
                log.debug("node stopping: kick not retried node={} device={}", nodeId, deviceId);
            }
        }
    }

    @Override
    public void close() {
        peers.close();
    }
}
