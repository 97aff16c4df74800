package io.longlink.common.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One long-lived gRPC channel per member node, made on first use from the node's published
 * endpoint, replaced when the node comes back on another address and shut down when it leaves
 * membership.
 */
public final class PeerChannels implements AutoCloseable {
    private final String endpoint;
    private final Function<String, ManagedChannel> factory;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();

    private record Peer(String address, ManagedChannel channel) {
    }

    /**
     * @param endpoint which of a node's endpoints to dial, e.g. {@code grpc}
     * @param factory  builds a channel to a {@code host:port}
     */
    public PeerChannels(Membership membership, String endpoint, Function<String, ManagedChannel> factory) {
        requireNonNull(membership, "membership");
        this.endpoint = requireNonNull(endpoint, "endpoint");
        this.factory = requireNonNull(factory, "factory");
        membership.addListener(new Membership.Listener() {
            @Override
            public void joined(NodeInfo node) {
            }

            @Override
            public void left(NodeInfo node) {
                Peer p = peers.remove(node.id());
                if (p != null) {
                    p.channel.shutdown();
                }
            }
        });
    }

    /** The channel to {@code node}, or null when it publishes no such endpoint. */
    public ManagedChannel channel(NodeInfo node) {
        String address = node.endpoint(endpoint);
        if (address == null) {
            return null;
        }
        return peers.compute(node.id(), (id, old) -> {
            if (old != null && old.address.equals(address)) {
                return old;
            }
            if (old != null) {
                old.channel.shutdown(); // the node came back on another address
            }
            return new Peer(address, factory.apply(address));
        }).channel;
    }

    @Override
    public void close() {
        peers.values().forEach(p -> p.channel.shutdownNow());
        peers.clear();
    }
}
