package io.longlink.common.discovery;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's ephemeral membership entry. Curator's PersistentNode re-creates it after a session
 * loss, so a node that survives a ZooKeeper hiccup reappears by itself; closing it removes the
 * entry at once, which is how routers learn of a drain before the process ends.
 */
public final class NodeRegistration implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);

    private final PersistentNode node;
    private final String path;
    private volatile NodeInfo info;

    private final CuratorFramework client;

    public NodeRegistration(CuratorFramework client, NodeInfo info) {
        this.client = requireNonNull(client, "client");
        this.info = requireNonNull(info, "info");
        this.path = ZooKeeperPaths.node(info.role(), info.id());
        this.node = new PersistentNode(client, CreateMode.EPHEMERAL, false, path, info.encode());
    }

    /** Creates the entry and waits for it; fails if another live node already holds this id. */
    public void start(long timeoutMs) throws Exception {
        // Claim the id first: PersistentNode would silently take over another live node's entry.
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, info.encode());
        } catch (KeeperException.NodeExistsException e) {
            throw new IllegalStateException("node.id '" + info.id() + "' is used by another live " + info.role()
                    + " node (" + path + " exists in ZooKeeper)");
        }
        node.start();
        if (!node.waitForInitialCreate(timeoutMs, TimeUnit.MILLISECONDS)) {
            node.close();
            throw new IllegalStateException("could not register " + path + " in ZooKeeper within " + timeoutMs + " ms");
        }
        log.info("registered in ZooKeeper path={} role={} id={} endpoints={}", path, info.role(), info.id(),
                info.endpoints());
    }

    /** Publishes a new load figure (bootstrap orders conn-nodes by it). */
    public synchronized void updateLoad(long load) throws Exception {
        if (load == info.load()) {
            return;
        }
        info = info.withLoad(load);
        node.setData(info.encode());
    }

    /**
     * Publishes that this node drains: it keeps its entry, so routers keep delivering to the
     * connections it still holds, while bootstrap stops offering it. Idempotent.
     */
    public synchronized void markDraining() throws Exception {
        if (info.draining()) {
            return;
        }
        info = info.asDraining();
        node.setData(info.encode());
    }

    public NodeInfo info() {
        return info;
    }

    @Override
    public void close() {
        try {
            node.close();
            log.info("deregistered from ZooKeeper path={}", path);
        } catch (Exception e) {
            log.warn("deregistration failed path={}", path, e);
        }
    }
}
