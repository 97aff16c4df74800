package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.conn.auth.Apps;
import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.route.PeerKicks;
import io.longlink.conn.route.Routes;
import io.longlink.conn.tag.Tags;

/** What the session layer reads and writes outside the node: Redis stores, and peers for cross-node kicks. */
public record SessionStores(Apps apps, Routes routes, PeerKicks peers, Inboxes inboxes, BroadcastLogs broadcasts,
                            Tags tags) {
    public SessionStores {
        requireNonNull(apps, "apps");
        requireNonNull(routes, "routes");
        requireNonNull(peers, "peers");
        requireNonNull(inboxes, "inboxes");
        requireNonNull(broadcasts, "broadcasts");
        requireNonNull(tags, "tags");
    }
}
