package io.longlink.api.bootstrap;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.ConnNodeEndpoint;
import io.longlink.proto.api.GetConnNodesRequest;
import io.longlink.proto.api.GetConnNodesResponse;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tells devices where to connect: the {@code device} endpoints of live conn-nodes from ZooKeeper
 * membership, least loaded (fewest connections, counting the devices sent there since the node's
 * last published figure: {@link HandedOut}) first, several of them so that a device whose first
 * choice refuses tries the next at once. A draining node is never offered: it still serves the
 * devices it holds but takes no new ones. Needs no credentials: the list is what any device of any
 * app would be told.
 */
public final class BootstrapGrpcService extends BootstrapServiceGrpc.BootstrapServiceImplBase {
    static final String DEVICE_ENDPOINT = "device";
    static final int DEFAULT_LIMIT = 3;
    static final int MAX_LIMIT = 100;

    private final Membership connNodes;
    private final GrpcErrors errors;
    private final HandedOut handedOut = new HandedOut();

    public BootstrapGrpcService(Membership connNodes, GrpcErrors errors) {
        this.connNodes = requireNonNull(connNodes, "connNodes");
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public void getConnNodes(GetConnNodesRequest request, StreamObserver<GetConnNodesResponse> out) {
        errors.unary(out, () -> {
            int limit = request.getLimit();
            if (limit < 0 || limit > MAX_LIMIT) {
                throw Refusal.invalid("limit", Integer.toUnsignedString(limit), "0 (= " + DEFAULT_LIMIT + ") to " + MAX_LIMIT);
            }
            long now = System.nanoTime();
            List<NodeInfo> nodes = connNodes.nodes().stream()
                    .filter(n -> !n.draining() && n.endpoint(DEVICE_ENDPOINT) != null)
                    .sorted(Comparator.comparingLong((NodeInfo n) -> handedOut.estimate(n, now)).thenComparing(NodeInfo::id))
                    .limit(limit == 0 ? DEFAULT_LIMIT : limit)
                    .toList();
            if (!nodes.isEmpty()) {
                // a device connects to the first node it is offered
                handedOut.sentTo(nodes.getFirst(), now);
            }
            GetConnNodesResponse.Builder reply = GetConnNodesResponse.newBuilder();
            for (NodeInfo n : nodes) {
                reply.addNodes(ConnNodeEndpoint.newBuilder().setNodeId(n.id()).setAddress(n.endpoint(DEVICE_ENDPOINT))
                        .setLoad(n.load()));
            }
            return CompletableFuture.completedFuture(reply.build());
        });
    }
}
