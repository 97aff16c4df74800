package io.longlink.common.discovery;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A live view of the nodes of one role, kept by a ZooKeeper watch. */
public final class Membership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private final String role;
    private final CuratorCache cache;
    private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public Membership(CuratorFramework client, String role) {
        this.role = requireNonNull(role, "role");
        String base = ZooKeeperPaths.role(role);
        this.cache = CuratorCache.build(client, base);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldNode, node) -> upsert(base, node))
                .forDeletes(node -> remove(base, node))
                .build());
    }

    public void start() {
        cache.start();
    }

    public void addListener(Listener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    public NodeInfo get(String nodeId) {
        return nodes.get(nodeId);
    }

    public boolean isLive(String nodeId) {
        return nodes.containsKey(nodeId);
    }

    /** Nodes of the role known now. */
    public int size() {
        return nodes.size();
    }

    public List<NodeInfo> nodes() {
        return new ArrayList<>(nodes.values());
    }

    /** For tests and readiness: runs {@code action} on each node currently known. */
    public void forEach(Consumer<NodeInfo> action) {
        nodes.values().forEach(action);
    }

    private void upsert(String base, ChildData data) {
        if (!isChild(base, data)) {
            return;
        }
        try {
            NodeInfo info = NodeInfo.decode(data.getData());
            NodeInfo old = nodes.put(info.id(), info);
            if (old == null) {
                log.info("node joined role={} id={} endpoints={}", role, info.id(), info.endpoints());
                listeners.forEach(l -> l.joined(info));
            }
        } catch (IllegalArgumentException e) {
            log.warn("ignoring unreadable membership entry path={}", data.getPath());
        }
    }

    private void remove(String base, ChildData data) {
        if (!isChild(base, data)) {
            return;
        }
        String id = data.getPath().substring(base.length() + 1);
        NodeInfo old = nodes.remove(id);
        if (old != null) {
            log.info("node left role={} id={}", role, id);
            listeners.forEach(l -> l.left(old));
        }
    }

    private static boolean isChild(String base, ChildData data) {
        String p = data.getPath();
        return p.length() > base.length() + 1 && p.startsWith(base + "/") && p.indexOf('/', base.length() + 1) < 0;
    }

    @Override
    public void close() {
        cache.close();
    }

    public interface Listener {
        void joined(NodeInfo node);

        void left(NodeInfo node);
    }
}
