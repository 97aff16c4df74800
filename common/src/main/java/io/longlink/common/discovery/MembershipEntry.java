package io.longlink.common.discovery;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's ZooKeeper membership entry as its start sees it. A node restarted under the same node id
 * right after a crash finds its predecessor's ephemeral entry until that session expires: it waits
 * for it to go instead of failing (a supervisor's restart then succeeds at once), and {@link #ours}
 * tells when its own entry exists (a router's consumer joins its group only then).
 */
public final class MembershipEntry {
    private static final Logger log = LoggerFactory.getLogger(MembershipEntry.class);
    private static final long MAX_POLL_MS = 1_000;

    private final CuratorFramework zk;
    private final String role;
    private final String nodeId;
    private final String path;

    public MembershipEntry(CuratorFramework zk, String role, String nodeId) {
        this.zk = requireNonNull(zk, "zk");
        this.role = requireNonNull(role, "role");
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.path = ZooKeeperPaths.node(role, nodeId);
    }

    /**
     * Returns once no other session holds this node id's entry; throws after {@code timeoutMs}, when
     * another live node of the role must be using the id.
     */
    public void awaitPredecessorGone(long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long pollMs = 50;
        boolean logged = false;
        while (true) {
            Stat entry = zk.checkExists().forPath(path);
            if (entry == null || entry.getEphemeralOwner() == sessionId()) {
                if (logged) {
                    log.info("previous membership entry gone; registering path={}", path);
                }
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("node.id '" + nodeId + "' is used by another live " + role + " node (" + path
                        + " still exists in ZooKeeper after " + timeoutMs + " ms)");
            }
            if (!logged) {
                logged = true;
                log.info("waiting for the membership entry of a previous " + role + " node with this node id to expire"
                        + " path={} at_most_ms={}", path, timeoutMs);
            }
            TimeUnit.MILLISECONDS.sleep(pollMs);
            pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
        }
    }

    /** This node's session holds the entry: it is registered. */
    public boolean ours() {
        try {
            Stat entry = zk.checkExists().forPath(path);
            return entry != null && entry.getEphemeralOwner() == sessionId();
        } catch (Exception e) {
            return false;
        }
    }

    private long sessionId() throws Exception {
        return zk.getZookeeperClient().getZooKeeper().getSessionId();
    }
}
