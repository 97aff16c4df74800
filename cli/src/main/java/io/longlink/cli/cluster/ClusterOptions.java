package io.longlink.cli.cluster;

import io.longlink.cli.PushCtl;
import io.longlink.common.discovery.ZooKeeperClients;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Option;

/** Where the cluster's membership is: the options of every cluster command, defaulting to the nodes' own variables. */
final class ClusterOptions {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int SESSION_TIMEOUT_MS = 10_000;

    @Option(names = "--zookeeper", paramLabel = "HOST:PORT[,...]",
            description = "ZooKeeper connect string (default: LONGLINK_ZOOKEEPER_CONNECT, else 127.0.0.1:2181)")
    private String zookeeper;

    @Option(names = "--namespace", paramLabel = "NAME",
            description = "the cluster's ZooKeeper namespace (default: LONGLINK_ZOOKEEPER_NAMESPACE, else longlink)")
    private String namespace;

    /** A session with the cluster's ZooKeeper; fails naming the address when none comes within 5 s. */
    CuratorFramework connect(PushCtl pushctl) throws InterruptedException {
        String connect = zookeeper != null ? zookeeper : pushctl.env("LONGLINK_ZOOKEEPER_CONNECT", "127.0.0.1:2181");
        String ns = namespace != null ? namespace : pushctl.env("LONGLINK_ZOOKEEPER_NAMESPACE", "longlink");
        return ZooKeeperClients.start(connect, ns, SESSION_TIMEOUT_MS, CONNECT_TIMEOUT_MS);
    }
}
