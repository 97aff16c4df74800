package io.longlink.common.discovery;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** Builds the Curator client every node uses and fails clearly when ZooKeeper is unreachable. */
public final class ZooKeeperClients {
    private ZooKeeperClients() {
    }

    /**
     * Starts a client and waits up to {@code connectTimeoutMs} for a session.
     *
     * @throws IllegalStateException naming the connect string when no session could be made in time
     */
    public static CuratorFramework start(String connect, String namespace, int sessionTimeoutMs,
                                         int connectTimeoutMs) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .namespace(namespace)
                .sessionTimeoutMs(sessionTimeoutMs)
                // how long an operation waits for a lost connection: never longer than the session lives
                .connectionTimeoutMs(Math.min(connectTimeoutMs, sessionTimeoutMs))
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .build();
        client.start();
        if (!client.blockUntilConnected(connectTimeoutMs, TimeUnit.MILLISECONDS)) {
            client.close();
            throw new IllegalStateException("ZooKeeper at " + connect + " did not answer within "
                    + connectTimeoutMs + " ms (zookeeper.connect)");
        }
        return client;
    }
}
