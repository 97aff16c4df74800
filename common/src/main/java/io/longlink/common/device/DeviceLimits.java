package io.longlink.common.device;

/** Limits on what one device holds, shared by the api-node that writes them and the conn-node that reads them. */
public final class DeviceLimits {
    /**
     * Tags one device may hold: AddTags refuses a change that would leave more, and a conn-node's tag
     * index ({@code conn.max-tags-per-device}) takes no more, so every stored tag can match a tag push.
     */
    public static final int MAX_TAGS_PER_DEVICE = 64;

    private DeviceLimits() {
    }
}
