package io.longlink.api.apps;

import static java.util.Objects.requireNonNull;

import io.longlink.common.auth.SecretRotation;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.common.grpc.Refusal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * Publishes each secret rotation in ZooKeeper, {@code /apps/{appKey}} (persistent,
 * {@link SecretRotation}: version and time), which conn-nodes watch to end the sessions of the old
 * secret. The version moves by compare-and-set on the node's data version, so concurrent rotations
 * of one app on different api-nodes each get their own. Curator background calls throughout: no
 * thread waits on ZooKeeper.
 */
final class SecretRotations {
    /** Concurrent rotations of one app that may each win the compare-and-set before this one gives up. */
    private static final int ATTEMPTS = 10;

    private final CuratorFramework zk;

    SecretRotations(CuratorFramework zk) {
        this.zk = requireNonNull(zk, "zk");
    }

    /**
     * Records a rotation of {@code appKey} at {@code nowMs}: the next version. Fails with UNAVAILABLE
     * when ZooKeeper does not take it.
     */
    CompletionStage<SecretRotation> publish(String appKey, long nowMs) {
        CompletableFuture<SecretRotation> out = new CompletableFuture<>();
        read(ZooKeeperPaths.app(appKey), nowMs, out, ATTEMPTS);
        return out;
    }

    private void read(String path, long nowMs, CompletableFuture<SecretRotation> out, int attempts) {
        if (attempts == 0) {
            out.completeExceptionally(failure(path, "too many concurrent rotations"));
            return;
        }
        run(path, out, () -> zk.getData().inBackground((client, event) -> {
            switch (code(event)) {
                case OK -> write(path, after(event, nowMs), event.getStat().getVersion(), out, attempts);
                case NONODE -> write(path, new SecretRotation(1, nowMs), -1, out, attempts);
                default -> out.completeExceptionally(failure(path, code(event).name()));
            }
        }).forPath(path));
    }

    /** Creates the node ({@code dataVersion} -1) or replaces its data if nobody changed it since it was read. */
    private void write(String path, SecretRotation next, int dataVersion, CompletableFuture<SecretRotation> out,
                       int attempts) {
        BackgroundCallback written = (client, event) -> {
            switch (code(event)) {
                case OK -> out.complete(next);
                case BADVERSION, NODEEXISTS -> read(path, next.rotatedMs(), out, attempts - 1);
                default -> out.completeExceptionally(failure(path, code(event).name()));
            }
        };
        if (dataVersion < 0) {
            run(path, out, () -> zk.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                    .inBackground(written).forPath(path, next.encode()));
        } else {
            run(path, out, () -> zk.setData().withVersion(dataVersion).inBackground(written).forPath(path, next.encode()));
        }
    }

    /** The rotation after the one stored; after unreadable data, version 1. */
    private static SecretRotation after(CuratorEvent event, long nowMs) {
        try {
            return SecretRotation.decode(event.getData()).next(nowMs);
        } catch (IllegalArgumentException e) {
            return new SecretRotation(1, nowMs);
        }
    }

    private static KeeperException.Code code(CuratorEvent event) {
        return KeeperException.Code.get(event.getResultCode());
    }

    private static Refusal failure(String path, String reason) {
        return Refusal.unavailable("zookeeper: could not record the rotation at " + path + " (" + reason
                + "); the new secret is stored but conn-nodes were not told: rotate again");
    }

    private static void run(String path, CompletableFuture<?> out, Call call) {
        try {
            call.run();
        } catch (Exception e) {
            out.completeExceptionally(failure(path, e.toString()));
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }
}
