package io.longlink.router.deliver;

import static java.util.Objects.requireNonNull;

import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.grpc.InternalTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ObjIntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ConnNodeLink} per live conn-node, following ZooKeeper membership: a link opens when
 * a node joins and closes when it leaves. A draining node ({@code NodeInfo.draining()}) stays a
 * member until its last connection is gone, so it keeps its link and still gets deliveries and
 * FanOuts for the devices it holds. A route that names a node without a link is treated as
 * offline by the router: the message stays in the inbox for the device's next connection.
 */
public final class ConnNodeLinks implements DeliveryLinks, Membership.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnNodeLinks.class);
    static final String GRPC_ENDPOINT = "grpc";

    private final Membership membership;
    private final int maxInflight;
    private final int maxFanOuts;
    private final long timeoutMs;
    private final long retryMs;
    private final ObjIntConsumer<String> redrainEvents;
    private final InternalTls tls;
    private final Map<String, ConnNodeLink> links = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param redrainEvents counts re-drain events of every link (see {@link Redrains})
     * @param tls           mutual TLS of the internal plane, or plaintext
     */
    public ConnNodeLinks(Membership membership, int maxInflight, int maxFanOuts, long timeoutMs, long retryMs,
                         ObjIntConsumer<String> redrainEvents, InternalTls tls) {
        this.redrainEvents = requireNonNull(redrainEvents, "redrainEvents");
        this.tls = requireNonNull(tls, "tls");
        this.membership = requireNonNull(membership, "membership");
        this.maxInflight = maxInflight;
        this.maxFanOuts = maxFanOuts;
        this.timeoutMs = timeoutMs;
        this.retryMs = retryMs;
        membership.addListener(this);
        membership.forEach(this::joined);
    }

    @Override
    public ConnNodeLink link(String nodeId) {
        ConnNodeLink link = links.get(nodeId);
        if (link != null || closed) {
            return link;
        }
        NodeInfo info = membership.get(nodeId);
        return info == null ? null : open(info);
    }

    @Override
    public List<ConnNodeLink> all() {
        return new ArrayList<>(links.values());
    }

    @Override
    public int size() {
        return links.size();
    }

    @Override
    public void joined(NodeInfo node) {
        if (!closed) {
            open(node);
        }
    }

    @Override
    public void left(NodeInfo node) {
        ConnNodeLink link = links.remove(node.id());
        if (link != null) {
            log.info("conn-node link closed node_id={}", node.id());
            link.close();
        }
    }

    private ConnNodeLink open(NodeInfo node) {
        String address = node.endpoint(GRPC_ENDPOINT);
        if (address == null) {
            log.warn("conn-node without a grpc endpoint ignored node_id={} endpoints={}", node.id(), node.endpoints());
            return null;
        }
        return links.computeIfAbsent(node.id(), id -> {
            log.info("conn-node link opened node_id={} address={}", id, address);
            return new ConnNodeLink(id, address, maxInflight, maxFanOuts, timeoutMs, retryMs, ConnNodeLink.MAX_DIRTY,
                    redrainEvents, tls);
        });
    }

    @Override
    public void close() {
        closed = true;
        for (String id : new ArrayList<>(links.keySet())) {
            ConnNodeLink link = links.remove(id);
            if (link != null) {
                link.close();
            }
        }
    }
}
