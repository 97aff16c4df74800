package io.longlink.common.redis;

/**
 * Every Redis key Longlink uses, in one place. A device's keys carry the hash tag
 * {@code {appKey:deviceId}} so they share one Redis Cluster slot (route, inbox, tags and collapse
 * index can be read and written together, in one script).
 *
 * <pre>
 * ll:app:{appKey}                    hash   secret, name, created_ms, quota_*  app registry and quotas
 * ll:route:{app:device}              string nodeId|connectionId, TTL        where the device is connected
 * ll:inbox:{app:device}              zset   member = 20-digit zero-padded message id, score = inbox position (acceptance order)
 * ll:iseq:{app:device}               string the device's last inbox position (INCR), TTL as the inbox
 * ll:collapse:{app:device}           hash   collapse key -> message id still in the inbox
 * ll:tags:{app:device}               set    the device's tags
 * ll:seen:{app:device}               string broadcast-log position (a ll:bcast score) the device has caught up to
 * ll:acked:{app:device}:{member}     string an awaited copy ACKed after its wait, before the router stored it: not stored, TTL 10 min
 * ll:msg:{messageId}                 string serialized Push body, TTL = message TTL; empty = revoked (tombstone)
 * ll:stat:{messageId}                hash   targeted, online, stored, acked, expired, revoked, dropped; app, *_ms
 * ll:alias:{appKey}:{alias}          set    device ids under a user alias
 * ll:device:{app:device}             hash   platform, registered_ms, alias     device record (api-node)
 * ll:req:{app:requestId}             string message id of an idempotent push, TTL = idempotency window
 * ll:bcast:{appKey}                  zset   broadcast log: 20-digit message ids, score = log position (acceptance order), capped
 * ll:bseq:{appKey}                   string the app's last broadcast-log position (INCR)
 * ll:bcastf:{appKey}                 hash   broadcast log member -> serialized TagFilter ("" = everyone)
 * ll:lag:{commandTopic}              hash   router node id -> "behindMs:reportedAtMs" (RouterLagReport)
 * </pre>
 * What each key holds and who writes it: docs/data-model.md.
 */
public final class RedisKeys {
    public static final String APP = "ll:app:";
    public static final String ROUTE = "ll:route:";
    public static final String INBOX = "ll:inbox:";
    public static final String INBOX_SEQ = "ll:iseq:";
    public static final String COLLAPSE = "ll:collapse:";
    public static final String TAGS = "ll:tags:";
    public static final String SEEN = "ll:seen:";
    public static final String ACKED_BEFORE_STORED = "ll:acked:";
    public static final String MESSAGE = "ll:msg:";
    public static final String STAT = "ll:stat:";
    public static final String ALIAS = "ll:alias:";
    public static final String DEVICE = "ll:device:";
    public static final String REQUEST = "ll:req:";
    public static final String BROADCAST_LOG = "ll:bcast:";
    public static final String BROADCAST_FILTER = "ll:bcastf:";
    public static final String BROADCAST_SEQ = "ll:bseq:";
    public static final String ROUTER_LAG = "ll:lag:";

    /** Field names of the app hash. */
    public static final String APP_SECRET = "secret";
    public static final String APP_NAME = "name";
    public static final String APP_CREATED_MS = "created_ms";
    /** The app's own quotas (absent: the api-node's {@code api.quota.*} default). */
    public static final String APP_QUOTA_PUSHES_PER_S = "quota_pushes_per_s";
    public static final String APP_QUOTA_FANOUTS_PER_S = "quota_fanouts_per_s";
    public static final String APP_QUOTA_DEVICES_PER_CALL = "quota_devices_per_call";

    /** Field names of the status hash {@code ll:stat:{id}}: counters, then the owner and timestamps. */
    public static final String STAT_TARGETED = "targeted";
    public static final String STAT_ONLINE = "online";
    public static final String STAT_STORED = "stored";
    public static final String STAT_ACKED = "acked";
    public static final String STAT_EXPIRED = "expired";
    public static final String STAT_REVOKED = "revoked";
    public static final String STAT_DROPPED = "dropped";
    public static final String STAT_APP = "app";
    public static final String STAT_CREATED_MS = "created_ms";
    public static final String STAT_ACCEPTED_MS = "accepted_ms";
    public static final String STAT_ROUTED_MS = "routed_ms";
    public static final String STAT_REVOKED_MS = "revoked_ms";
    public static final String STAT_LOG_TRIMMED_MS = "log_trimmed_ms";

    private RedisKeys() {
    }

    /**
     * True when a value read from {@code ll:msg:{id}} is a message body. Revoke leaves an empty
     * value there (a tombstone, kept as long as the status hash) instead of deleting the key, so a
     * router's {@code SET NX} cannot store the body again afterwards; readers treat the tombstone as
     * no body.
     */
    public static boolean isBody(byte[] value) {
        return value != null && value.length > 0;
    }

    /** The latest {@link RouterLagReport} of each router consuming {@code commandTopic}, under its node id. */
    public static String routerLag(String commandTopic) {
        return ROUTER_LAG + commandTopic;
    }

    public static String app(String appKey) {
        return APP + "{" + appKey + "}";
    }

    /** The hash tag shared by all keys of one device. */
    public static String deviceTag(String appKey, String deviceId) {
        return "{" + appKey + ":" + deviceId + "}";
    }

    public static String route(String appKey, String deviceId) {
        return ROUTE + deviceTag(appKey, deviceId);
    }

    public static String inbox(String appKey, String deviceId) {
        return INBOX + deviceTag(appKey, deviceId);
    }

    /** The counter that gives each inbox entry its position; shares the inbox's slot. */
    public static String inboxSeq(String appKey, String deviceId) {
        return INBOX_SEQ + deviceTag(appKey, deviceId);
    }

    public static String collapse(String appKey, String deviceId) {
        return COLLAPSE + deviceTag(appKey, deviceId);
    }

    public static String tags(String appKey, String deviceId) {
        return TAGS + deviceTag(appKey, deviceId);
    }

    /**
     * The marker a conn-node leaves when a device ACKs a copy (20-digit {@code member}) whose ack wait
     * had ended and which the router has not stored yet: the router's inbox write then skips it.
     * Shares the inbox's slot.
     */
    public static String ackedBeforeStored(String appKey, String deviceId, String member) {
        return ACKED_BEFORE_STORED + deviceTag(appKey, deviceId) + ":" + member;
    }

    public static String seen(String appKey, String deviceId) {
        return SEEN + deviceTag(appKey, deviceId);
    }

    public static String message(long messageId) {
        return MESSAGE + "{" + Long.toUnsignedString(messageId) + "}";
    }

    public static String stat(long messageId) {
        return STAT + "{" + Long.toUnsignedString(messageId) + "}";
    }

    public static String alias(String appKey, String alias) {
        return ALIAS + "{" + appKey + "}:" + alias;
    }

    public static String device(String appKey, String deviceId) {
        return DEVICE + deviceTag(appKey, deviceId);
    }

    public static String request(String appKey, String requestId) {
        return REQUEST + "{" + appKey + ":" + requestId + "}";
    }

    /** The broadcast log of an app; shares the slot of {@link #broadcastFilter} so one script writes both. */
    public static String broadcastLog(String appKey) {
        return BROADCAST_LOG + "{" + appKey + "}";
    }

    public static String broadcastFilter(String appKey) {
        return BROADCAST_FILTER + "{" + appKey + "}";
    }

    /** The counter that gives each broadcast-log entry its position; shares the log's slot. */
    public static String broadcastSeq(String appKey) {
        return BROADCAST_SEQ + "{" + appKey + "}";
    }

    /** Inbox and broadcast-log member of a message: its unsigned id as 20 zero-padded digits. */
    public static String inboxMember(long messageId) {
        String digits = Long.toUnsignedString(messageId);
        return "0".repeat(20 - digits.length()) + digits;
    }

    /** Route value: {@code nodeId|connectionId}. */
    public static String routeValue(String nodeId, String connectionId) {
        return new Route(nodeId, connectionId).value();
    }
}
