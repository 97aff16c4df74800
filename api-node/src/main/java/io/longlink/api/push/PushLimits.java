package io.longlink.api.push;

/** Limits of a push request. Part of the public contract: docs/api.md lists them. */
public final class PushLimits {
    public static final int MAX_PAYLOAD_BYTES = 4096;
    public static final int MAX_DEVICES = 1000;
    public static final int MAX_ALIASES = 1000;
    public static final int MAX_FILTER_TAGS = 32;
    public static final int MAX_TITLE_CHARS = 256;
    public static final int MAX_BODY_CHARS = 2048;
    public static final int DEFAULT_TTL_SECONDS = 86_400;
    public static final int MAX_TTL_SECONDS = 864_000;
    public static final int MAX_SPREAD_MS = 600_000;
    /** Entries of one PushBatch call. */
    public static final int MAX_BATCH_PUSHES = 1000;
    /**
     * Largest request message the API port takes (one limit for every method): a full PushBatch of
     * 1000 one-device entries with 4096-byte payloads (about 4.3 MB) fits with room for notifications.
     * A unary Push is bounded far below it by its own field limits.
     */
    public static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    private PushLimits() {
    }
}
