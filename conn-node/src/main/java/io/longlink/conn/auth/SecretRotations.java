package io.longlink.conn.auth;

import static java.util.Objects.requireNonNull;

import io.longlink.common.auth.SecretRotation;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.conn.session.Session;
import io.longlink.conn.session.SessionIndex;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the sessions of an app whose secret was rotated. The api-node's RotateSecret writes
 * {@code /apps/{appKey}} ({@link SecretRotation}); one CuratorCache watches them all. On a rotation
 * the app's cached secret is dropped, and every session of the app on this node whose connection id
 * is at or below the node's id counter at that moment (it authenticated before) is closed with
 * BAD_TOKEN, at {@code ratePerSecond} or faster when needed to close them all within
 * {@code windowSeconds}: the devices reconnect with tokens of the new secret without a storm.
 */
public final class SecretRotations implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SecretRotations.class);
    private static final long TICK_MS = 100;

    private final CuratorCache cache;
    private final SessionIndex index;
    private final LongSupplier idCounter;
    private final Consumer<String> forgetSecret;
    private final Consumer<Session> close;
    private final ScheduledExecutorService scheduler;
    private final int ratePerSecond;
    private final int windowSeconds;
    private volatile boolean initialized;

    /**
     * @param idCounter    the node's connection-id counter (ConnectionIds#current)
     * @param forgetSecret drops an app's cached secret
     * @param close        closes a session with BAD_TOKEN (any thread)
     */
    public SecretRotations(CuratorFramework zk, SessionIndex index, LongSupplier idCounter,
                           Consumer<String> forgetSecret, Consumer<Session> close, ScheduledExecutorService scheduler,
                           int ratePerSecond, int windowSeconds) {
        this.index = requireNonNull(index, "index");
        this.idCounter = requireNonNull(idCounter, "idCounter");
        this.forgetSecret = requireNonNull(forgetSecret, "forgetSecret");
        this.close = requireNonNull(close, "close");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.ratePerSecond = ratePerSecond;
        this.windowSeconds = windowSeconds;
        this.cache = CuratorCache.build(requireNonNull(zk, "zk"), ZooKeeperPaths.APPS);
        // the rotations already there when the node starts are older than all of its sessions
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> {
                    if (initialized) {
                        changed(before, after);
                    }
                })
                .forInitialized(() -> initialized = true)
                .build());
    }

    public void start() {
        cache.start();
    }

    private void changed(ChildData before, ChildData after) {
        String path = after.getPath();
        if (!path.startsWith(ZooKeeperPaths.APPS + "/")) {
            return;
        }
        String appKey = path.substring(ZooKeeperPaths.APPS.length() + 1);
        SecretRotation rotation;
        try {
            rotation = SecretRotation.decode(after.getData());
        } catch (IllegalArgumentException e) {
            log.warn("ignoring unreadable secret rotation path={} error=\"{}\"", path, e.getMessage());
            return;
        }
        if (before != null && before.getData() != null && version(before) >= rotation.version()) {
            return; // rewritten without a new rotation
        }
        rotated(appKey, rotation);
    }

    private static long version(ChildData data) {
        try {
            return SecretRotation.decode(data.getData()).version();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** The secret of {@code appKey} was rotated: its sessions of the old secret end within the window. */
    void rotated(String appKey, SecretRotation rotation) {
        forgetSecret.accept(appKey);
        long counter = idCounter.getAsLong();
        ArrayDeque<Session> old = new ArrayDeque<>();
        for (Session s : index.sessionsOf(appKey)) {
            if (s.connectionId() - counter <= 0) {
                old.add(s);
            }
        }
        log.info("app secret rotated app={} version={} sessionsToClose={}", appKey, rotation.version(), old.size());
        if (!old.isEmpty()) {
            new Closing(old).start();
        }
    }

    /** Closes one rotation's sessions, a share per tick. Scheduler thread. */
    private final class Closing implements Runnable {
        private final ArrayDeque<Session> sessions;
        private final double perTick;
        private double credit;
        private ScheduledFuture<?> ticker;

        Closing(ArrayDeque<Session> sessions) {
            this.sessions = sessions;
            double perSecond = Math.max(ratePerSecond, (double) sessions.size() / windowSeconds);
            this.perTick = perSecond * TICK_MS / 1000.0;
        }

        synchronized void start() {
            ticker = scheduler.scheduleAtFixedRate(this, 0, TICK_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public synchronized void run() {
            credit += perTick;
            while (credit >= 1 && !sessions.isEmpty()) {
                credit--;
                close.accept(sessions.poll());
            }
            if (sessions.isEmpty() && ticker != null) {
                ticker.cancel(false);
            }
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
