package io.longlink.api.id;

import static java.util.Objects.requireNonNull;

import io.longlink.common.discovery.ZooKeeperPaths;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases one message-id worker id as the ephemeral node {@code /workers/{id}}. Two api-nodes never
 * hold the same id at once: ids are handed out only while the ZooKeeper session that owns the node
 * is known to be alive. On SUSPENDED or LOST the lease is dropped at once (pushes answer
 * UNAVAILABLE); on RECONNECTED it is taken back if the node is still ours, or a free id is leased.
 */
public final class WorkerIdLease implements AutoCloseable, ConnectionStateListener {
    private static final Logger log = LoggerFactory.getLogger(WorkerIdLease.class);
    public static final int WORKERS = MessageIds.MAX_WORKER + 1;

    private final CuratorFramework zk;
    private final byte[] owner;
    private final ExecutorService relocker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "worker-id-lease");
        t.setDaemon(true);
        return t;
    });
    /** The held id, or -1. Written by acquire and the state listener; read on every push. */
    private volatile int held = -1;
    /** The id last acquired, kept across a suspension to try reclaiming it. */
    private volatile int lastAcquired = -1;
    private volatile boolean closed;

    public WorkerIdLease(CuratorFramework zk, String nodeId) {
        this.zk = requireNonNull(zk, "zk");
        this.owner = requireNonNull(nodeId, "nodeId").getBytes(StandardCharsets.UTF_8);
    }

    /** Leases a free id; fails when all {@value #WORKERS} are held by live api-nodes. */
    public int acquire() throws Exception {
        zk.getConnectionStateListenable().addListener(this);
        int id = leaseFreeId();
        log.info("message-id worker id leased worker_id={} path={}", id, path(id));
        return id;
    }

    /** The worker id to use now, or -1 while none is held. */
    public int current() {
        return held;
    }

    private int leaseFreeId() throws Exception {
        int start = ThreadLocalRandom.current().nextInt(WORKERS);
        for (int i = 0; i < WORKERS; i++) {
            int id = (start + i) % WORKERS;
            try {
                zk.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path(id), owner);
                lastAcquired = id;
                held = id;
                return id;
            } catch (KeeperException.NodeExistsException taken) {
                // leased by another live api-node: try the next one
            }
        }
        throw new IllegalStateException("no free message-id worker id: all " + WORKERS + " under "
                + ZooKeeperPaths.WORKERS + " are leased by live api-nodes");
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        switch (state) {
            case SUSPENDED, LOST -> {
                if (held >= 0) {
                    log.warn("message-id worker id lease suspended worker_id={} zk_state={}", held, state);
                }
                held = -1;
            }
            case RECONNECTED -> relocker.execute(this::reclaim);
            default -> {
            }
        }
    }

    /** Runs on the lease thread after a reconnect: keeps our own node, or leases another id. */
    private void reclaim() {
        if (closed) {
            return;
        }
        try {
            int id = lastAcquired;
            long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = id < 0 ? null : zk.checkExists().forPath(path(id));
            if (stat != null && stat.getEphemeralOwner() == session) {
                held = id;
                log.info("message-id worker id lease resumed worker_id={}", id);
                return;
            }
            int fresh = leaseFreeId();
            log.info("message-id worker id re-leased worker_id={} previous={}", fresh, id);
        } catch (Exception e) {
            log.warn("message-id worker id could not be re-leased; pushes stay unavailable until the next reconnect", e);
        }
    }

    private static String path(int id) {
        return ZooKeeperPaths.WORKERS + "/" + id;
    }

    @Override
    public void close() {
        closed = true;
        zk.getConnectionStateListenable().removeListener(this);
        relocker.shutdownNow();
        try {
            relocker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int id = held;
        held = -1;
        if (id >= 0) {
            try {
                zk.delete().forPath(path(id));
            } catch (Exception e) {
                log.debug("worker id node already gone worker_id={}", id);
            }
        }
    }
}
