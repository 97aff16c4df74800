package io.longlink.api.id;

import static java.util.Objects.requireNonNull;

import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.log.LogThrottle;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases one message-id worker id as the ephemeral node {@code /workers/{id}}, and keeps in the
 * persistent node {@code /workers-clock/{id}} until when ids of that worker id may be stamped
 * ("reserved until", ms since 1970).
 *
 * <p>Two api-nodes never hold the same id at once: ids are handed out only while the ZooKeeper
 * session that owns the node is known to be alive. On SUSPENDED or LOST the lease is dropped at
 * once (pushes answer UNAVAILABLE); on RECONNECTED it is taken back if the node is still ours, or a
 * free id is leased. And ids never repeat across holders, whatever their clocks: the holder stamps
 * ids only below its reservation and keeps it {@value #RESERVE_AHEAD_MS} ms ahead of its clock,
 * extending it every {@value #EXTEND_EVERY_MS} ms; a new holder of the id starts its ids one past the
 * reservation it finds. Only the live owner writes a reservation: a write of a session succeeds
 * only while the session, and so its {@code /workers/{id}}, lives, so every write of a previous
 * holder precedes the next holder's claim and is seen by it.
 */
public final class WorkerIdLease implements AutoCloseable, ConnectionStateListener {
    private static final Logger log = LoggerFactory.getLogger(WorkerIdLease.class);
    public static final int WORKERS = MessageIds.MAX_WORKER + 1;
    static final long RESERVE_AHEAD_MS = 10_000;
    static final long EXTEND_EVERY_MS = 2_000;

    private final CuratorFramework zk;
    private final byte[] owner;
    private final LongSupplier clock;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-id-lease");
        t.setDaemon(true);
        return t;
    });
    private final LogThrottle extendFailures = new LogThrottle();
    /** The slot ids are stamped in now, or null while none is held. Read on every push. */
    private final AtomicReference<WorkerSlot> slot = new AtomicReference<>();
    /** The slot last held, kept across a suspension to try reclaiming its id. */
    private volatile WorkerSlot last;
    private volatile boolean closed;

    public WorkerIdLease(CuratorFramework zk, String nodeId) {
        this(zk, nodeId, System::currentTimeMillis);
    }

    /**
     * @param clock the clock ids are stamped with (the reservation runs ahead of it)
     */
    public WorkerIdLease(CuratorFramework zk, String nodeId, LongSupplier clock) {
        this.zk = requireNonNull(zk, "zk");
        this.owner = requireNonNull(nodeId, "nodeId").getBytes(StandardCharsets.UTF_8);
        this.clock = requireNonNull(clock, "clock");
    }

    /** Leases a free id and starts extending its reservation; fails when all {@value #WORKERS} are held by live api-nodes. */
    public int acquire() throws Exception {
        zk.getConnectionStateListenable().addListener(this);
        WorkerSlot held = leaseFreeId();
        worker.scheduleWithFixedDelay(this::extend, EXTEND_EVERY_MS, EXTEND_EVERY_MS, TimeUnit.MILLISECONDS);
        log.info("message-id worker id leased worker_id={} path={} ids_from_ms={} reserved_until_ms={}", held.id(),
                path(held.id()), held.floorMs(), held.untilMs());
        return held.id();
    }

    /** The worker id to use now, or -1 while none is held. */
    public int current() {
        WorkerSlot s = slot.get();
        return s == null ? -1 : s.id();
    }

    /** The slot ids are to be stamped in now, or null while none is held. */
    public WorkerSlot slot() {
        return slot.get();
    }

    private WorkerSlot leaseFreeId() throws Exception {
        int start = ThreadLocalRandom.current().nextInt(WORKERS);
        for (int i = 0; i < WORKERS; i++) {
            int id = (start + i) % WORKERS;
            try {
                zk.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path(id), owner);
            } catch (KeeperException.NodeExistsException taken) {
                continue; // leased by another live api-node: try the next one
            }
            WorkerSlot held;
            try {
                held = claim(id);
            } catch (Exception e) {
                release(id);
                throw e;
            }
            last = held;
            slot.set(held);
            return held;
        }
        throw new IllegalStateException("no free message-id worker id: all " + WORKERS + " under "
                + ZooKeeperPaths.WORKERS + " are leased by live api-nodes");
    }

    /** Reads the reservation the previous holder of {@code id} left and writes this holder's past it. */
    private WorkerSlot claim(int id) throws Exception {
        long previous;
        try {
            previous = parse(zk.getData().forPath(clockPath(id)));
        } catch (KeeperException.NoNodeException first) {
            previous = 0;
        }
        long floor = previous + 1;
        return reserve(new WorkerSlot(id, floor, 0), Math.max(clock.getAsLong(), floor) + RESERVE_AHEAD_MS);
    }

    /** Writes {@code until} as the reservation of {@code held}'s id and answers the slot with it. */
    private WorkerSlot reserve(WorkerSlot held, long until) throws Exception {
        byte[] data = Long.toString(until).getBytes(StandardCharsets.UTF_8);
        try {
            zk.setData().forPath(clockPath(held.id()), data);
        } catch (KeeperException.NoNodeException first) {
            zk.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT)
                    .forPath(clockPath(held.id()), data);
        }
        return new WorkerSlot(held.id(), held.floorMs(), until);
    }

    /** Runs on the lease thread every {@value #EXTEND_EVERY_MS} ms: keeps the reservation ahead of the clock. */
    private void extend() {
        WorkerSlot held = slot.get();
        if (held == null || closed) {
            return;
        }
        try {
            WorkerSlot extended = reserve(held, Math.max(held.untilMs(), clock.getAsLong() + RESERVE_AHEAD_MS));
            // a suspension meanwhile dropped the lease: it stays dropped until reclaimed
            if (slot.compareAndSet(held, extended)) {
                last = extended;
            }
        } catch (Exception e) {
            long notLogged = extendFailures.pass();
            if (notLogged >= 0) {
                log.warn("message-id worker id reservation not extended; ids stop at reserved_until_ms={} worker_id={}"
                        + " error=\"{}\" failures_not_logged={}", held.untilMs(), held.id(), e.toString(), notLogged);
            }
        }
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        switch (state) {
            case SUSPENDED, LOST -> {
                WorkerSlot dropped = slot.getAndSet(null);
                if (dropped != null) {
                    log.warn("message-id worker id lease suspended worker_id={} zk_state={}", dropped.id(), state);
                }
            }
            case RECONNECTED -> worker.execute(this::reclaim);
            default -> {
            }
        }
    }

    /** Runs on the lease thread after a reconnect: keeps our own node, or leases another id. */
    private void reclaim() {
        if (closed) {
            return;
        }
        WorkerSlot previous = last;
        try {
            long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = previous == null ? null : zk.checkExists().forPath(path(previous.id()));
            if (stat != null && stat.getEphemeralOwner() == session) {
                WorkerSlot resumed = reserve(previous, Math.max(previous.untilMs(),
                        clock.getAsLong() + RESERVE_AHEAD_MS));
                last = resumed;
                slot.set(resumed);
                log.info("message-id worker id lease resumed worker_id={}", resumed.id());
                return;
            }
            int fresh = leaseFreeId().id();
            log.info("message-id worker id re-leased worker_id={} previous={}", fresh,
                    previous == null ? -1 : previous.id());
        } catch (Exception e) {
            log.warn("message-id worker id could not be re-leased; pushes stay unavailable until the next reconnect", e);
        }
    }

    private void release(int id) {
        try {
            zk.delete().forPath(path(id));
        } catch (Exception e) {
            log.debug("worker id node already gone worker_id={}", id);
        }
    }

    private static long parse(byte[] data) {
        return data == null || data.length == 0 ? 0 : Long.parseLong(new String(data, StandardCharsets.UTF_8).trim());
    }

    private static String path(int id) {
        return ZooKeeperPaths.WORKERS + "/" + id;
    }

    private static String clockPath(int id) {
        return ZooKeeperPaths.WORKERS_CLOCK + "/" + id;
    }

    @Override
    public void close() {
        closed = true;
        zk.getConnectionStateListenable().removeListener(this);
        worker.shutdownNow();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        WorkerSlot held = slot.getAndSet(null);
        if (held != null) {
            release(held.id());
        }
    }
}
