package io.longlink.conn.route;

import java.util.concurrent.CompletionStage;

/** What the session layer does with a device's route: {@link RouteStore} in Redis. */
public interface Routes {
    /** Writes the route and completes with the previous value (null if none). */
    CompletionStage<byte[]> claim(String key, String value);

    /** Extends the route's TTL while it is {@code value}'s, claims it again if it vanished, and says which. */
    CompletionStage<RouteRenewal> renew(String key, String value);

    /** Deletes the route if it still holds {@code value}. */
    void delete(String key, String value);
}
