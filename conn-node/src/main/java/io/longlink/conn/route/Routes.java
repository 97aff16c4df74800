package io.longlink.conn.route;

import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/** What the session layer does with a device's route: {@link RouteStore} in Redis. */
public interface Routes {
    /** Writes the route and completes with the previous value (null if none). */
    CompletionStage<byte[]> claim(String key, String value);

    /** Extends the route's TTL; writes it again while {@code stillOwner} holds if it vanished. */
    void renew(String key, String value, BooleanSupplier stillOwner);

    /** Deletes the route if it still holds {@code value}. */
    void delete(String key, String value);
}
