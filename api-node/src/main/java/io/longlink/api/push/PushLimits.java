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

    private PushLimits() {
    }
}
