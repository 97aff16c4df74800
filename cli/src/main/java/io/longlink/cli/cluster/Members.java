package io.longlink.cli.cluster;

import static java.util.Objects.requireNonNull;

import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.ZooKeeperPaths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/** The live nodes of the cluster as ZooKeeper lists them now (their ephemeral membership entries). */
final class Members {
    static final List<String> ROLES = List.of("conn", "router", "api");

    private final CuratorFramework zk;

    Members(CuratorFramework zk) {
        this.zk = requireNonNull(zk, "zk");
    }

    /** The role's members by id; an entry that vanishes while read (a node leaving) is left out. */
    List<NodeInfo> of(String role) throws Exception {
        List<NodeInfo> out = new ArrayList<>();
        List<String> ids;
        try {
            ids = zk.getChildren().forPath(ZooKeeperPaths.role(role));
        } catch (KeeperException.NoNodeException e) {
            return out;
        }
        for (String id : ids) {
            try {
                out.add(NodeInfo.decode(zk.getData().forPath(ZooKeeperPaths.node(role, id))));
            } catch (KeeperException.NoNodeException e) {
                // left between the listing and the read
            }
        }
        out.sort(Comparator.comparing(NodeInfo::id));
        return out;
    }

    /** The conn-node {@code id}, or a failure that names where it was looked for. */
    NodeInfo conn(String id) throws Exception {
        return of("conn").stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no conn-node '" + id + "' in ZooKeeper (" + ZooKeeperPaths.role("conn")
                        + "); pushctl cluster status lists the members"));
    }
}
