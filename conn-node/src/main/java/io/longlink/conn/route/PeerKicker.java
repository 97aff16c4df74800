package io.longlink.conn.route;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.PeerChannels;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.internal.ConnNodeGrpc;
import io.longlink.proto.internal.KickRequest;
import io.longlink.proto.internal.KickResponse;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kicks a device's previous connection held by another conn-node (duplicate login across nodes):
 * a Kick call naming the old connection id, so the other node closes it only if it is still that
 * connection. The node is looked up in the membership view; if the view does not know it yet (it
 * registered a moment ago), ZooKeeper is asked directly, so a young node's connections are kicked
 * too. A node that is not registered at all is dead and its connections with it.
 */
public final class PeerKicker implements PeerKicks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerKicker.class);

    private final String role;
    private final Membership membership;
    private final CuratorFramework zk;
    private final long timeoutMs;
    private final ConnMetrics metrics;
    private final PeerChannels peers;

    public PeerKicker(String role, Membership membership, CuratorFramework zk, long timeoutMs, EventLoopGroup group,
                      Class<? extends SocketChannel> channelType, ConnMetrics metrics) {
        this.role = requireNonNull(role, "role");
        this.membership = requireNonNull(membership, "membership");
        this.zk = requireNonNull(zk, "zk");
        this.timeoutMs = timeoutMs;
        requireNonNull(group, "group");
        requireNonNull(channelType, "channelType");
        this.metrics = requireNonNull(metrics, "metrics");
        this.peers = new PeerChannels(membership, "grpc", address -> NettyChannelBuilder.forTarget(address)
                .usePlaintext().eventLoopGroup(group).channelType(channelType).build());
    }

    @Override
    public void kick(String appKey, String deviceId, String nodeId, String connectionId) {
        NodeInfo node = membership.get(nodeId);
        if (node != null) {
            send(node, appKey, deviceId, connectionId);
            return;
        }
        try {
            zk.getData().inBackground((client, event) -> {
                if (event.getData() == null) {
                    log.debug("previous connection's node is gone; nothing to kick node={} device={}", nodeId,
                            deviceId);
                    return;
                }
                send(NodeInfo.decode(event.getData()), appKey, deviceId, connectionId);
            }).forPath(ZooKeeperPaths.node(role, nodeId));
        } catch (Exception e) {
            metrics.kickFailures.inc();
            log.warn("cannot look up node for kick node={} device={} error=\"{}\"", nodeId, deviceId, e.toString());
        }
    }

    private void send(NodeInfo node, String appKey, String deviceId, String connectionId) {
        ManagedChannel channel = peers.channel(node);
        if (channel == null) {
            metrics.kickFailures.inc();
            log.warn("node has no grpc endpoint; cannot kick node={} device={}", node.id(), deviceId);
            return;
        }
        metrics.kicksSent.inc();
        KickRequest request = KickRequest.newBuilder().setAppKey(appKey).setDeviceId(deviceId)
                .setConnectionId(connectionId).setReason("a newer connection of this device logged in elsewhere")
                .build();
        ConnNodeGrpc.newStub(channel).withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                .kick(request, new StreamObserver<>() {
                    @Override
                    public void onNext(KickResponse r) {
                        log.debug("kick answered node={} device={} conn={} kicked={}", node.id(), deviceId,
                                connectionId, r.getKicked());
                    }

                    @Override
                    public void onError(Throwable t) {
                        metrics.kickFailures.inc();
                        log.warn("kick failed node={} device={} conn={} error=\"{}\"", node.id(), deviceId,
                                connectionId, t.toString());
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    @Override
    public void close() {
        peers.close();
    }
}
