package io.longlink.conn.route;

/** What a route renewal found. */
public enum RouteRenewal {
    /** The route named this connection; its TTL is extended. */
    RENEWED,
    /** The route was gone (TTL lapsed, or Redis lost it) and names this connection again. */
    RECLAIMED,
    /** The route names another connection of the device: this one lost the device. */
    TAKEN,
    /** Not sent: the batch queue was full (the device's next frame tries again). */
    NOT_SENT
}
