package io.longlink.api.quota;

import java.util.ArrayList;
import java.util.List;

/**
 * An app's quotas: pushes per second, pushes to tags or broadcast per second (each also one of the
 * pushes), and device ids or aliases one push may name. As stored for an app, 0 means the app has no
 * value of its own: the api-node's default ({@code api.quota.*}) applies.
 */
public record Quota(int pushesPerS, int fanoutsPerS, int devicesPerCall) {
    public static final int MAX_PUSHES_PER_S = 10_000_000;
    public static final int MAX_FANOUTS_PER_S = 1_000_000;
    /** Quota names as the API and pushctl show them. */
    public static final String PUSHES_PER_S = "pushes_per_s";
    public static final String FANOUTS_PER_S = "fanouts_per_s";
    public static final String DEVICES_PER_CALL = "devices_per_call";
    /** No value of its own: every quota is the default. */
    public static final Quota NONE = new Quota(0, 0, 0);

    /** These values, each 0 replaced by the one of {@code defaults}. */
    public Quota or(Quota defaults) {
        return new Quota(pushesPerS == 0 ? defaults.pushesPerS : pushesPerS,
                fanoutsPerS == 0 ? defaults.fanoutsPerS : fanoutsPerS,
                devicesPerCall == 0 ? defaults.devicesPerCall : devicesPerCall);
    }

    /** The names of the quotas that are 0 here (that the default gives). */
    public List<String> unset() {
        List<String> out = new ArrayList<>(3);
        if (pushesPerS == 0) {
            out.add(PUSHES_PER_S);
        }
        if (fanoutsPerS == 0) {
            out.add(FANOUTS_PER_S);
        }
        if (devicesPerCall == 0) {
            out.add(DEVICES_PER_CALL);
        }
        return out;
    }
}
