package io.longlink.router.deliver;

import java.util.List;

/** The conn-nodes a router's batch can reach now; {@link ConnNodeLinks} follows ZooKeeper membership. */
public interface DeliveryLinks {
    /** The link to a live node, or null when the node is not (or no longer) a member. */
    DeliveryLink link(String nodeId);

    /** A link to every live node, for fan-outs. */
    List<? extends DeliveryLink> all();

    int size();
}
