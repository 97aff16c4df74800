package io.longlink.api;

import io.longlink.api.push.PushLimits;
import io.longlink.api.quota.Quota;
import io.longlink.common.config.Setting;
import io.longlink.common.lifecycle.NodeSettings;
import java.util.List;

/** Every api-node setting. */
public final class ApiSettings {
    public static final Setting<Integer> ADMIN_PORT = Setting.port("admin.port", 9100,
            "Admin HTTP port (/metrics, /healthz, /readyz)");
    public static final Setting<String> GRPC_HOST = Setting.string("api.grpc.host", "127.0.0.1",
            "Bind address of the public gRPC API");
    public static final Setting<Integer> GRPC_PORT = Setting.port("api.grpc.port", 8400,
            "Port of the public gRPC API");
    public static final Setting<Integer> GRPC_THREADS = Setting.intRange("api.grpc.threads", 16, 1, 512,
            "Threads running API calls (calls are asynchronous; none waits on Redis)");
    public static final Setting<String> TLS_CERT = Setting.optionalString("api.tls.cert-path", "",
            "PEM certificate chain of the API port; empty = plaintext (set with api.tls.key-path)");
    public static final Setting<String> TLS_KEY = Setting.optionalString("api.tls.key-path", "",
            "PEM PKCS#8 private key of the API port; empty = plaintext (set with api.tls.cert-path)");
    public static final Setting<String> ADMIN_TOKEN = Setting.optionalString("api.admin-token", "",
            "Token for AppAdminService calls (metadata x-longlink-admin-token); empty disables them");
    public static final Setting<Integer> AUTH_CACHE_MS = Setting.intRange("api.auth-cache-ms", 5_000, 0, 300_000,
            "How long an app's credentials and quotas are cached; a rotated secret is refused, and a"
                    + " changed quota applies, on other api-nodes after this");
    public static final Setting<Integer> AUTH_CACHE_MAX = Setting.intRange("api.auth-cache-max", 10_000, 16,
            1_000_000, "Apps kept in the credential cache (and apps whose quota buckets are kept)");
    public static final Setting<Long> TOKEN_TTL_SECONDS = Setting.longRange("api.device-token-ttl-seconds",
            30L * 86_400, 60, 10L * 365 * 86_400, "Validity of device tokens issued by RegisterDevice");
    public static final Setting<Integer> REQUEST_ID_TTL_SECONDS = Setting.intRange("api.request-id-ttl-seconds",
            86_400, 60, 7 * 86_400, "How long a push request_id answers with the same message id");
    public static final Setting<Integer> STATUS_RETENTION_SECONDS = Setting.intRange(
            "api.status-retention-seconds", 7 * 86_400, 60, 90 * 86_400,
            "How long message status outlives the message's TTL");
    public static final Setting<Integer> KAFKA_LINGER_MS = Setting.intRange("api.kafka-linger-ms", 5, 0, 100,
            "How long the command producer waits to fill a batch: fewer, larger produce requests");
    public static final Setting<Integer> KAFKA_TIMEOUT_MS = Setting.intRange("api.kafka-timeout-ms", 10_000, 1_000,
            120_000, "Upper bound on waiting for Kafka to acknowledge a push (then UNAVAILABLE), also while Kafka"
                    + " is down; no thread waits for Kafka meanwhile");
    public static final Setting<Integer> MAX_INFLIGHT_PUSHES = Setting.intRange("api.max-inflight-pushes", 50_000, 1,
            10_000_000, "Pushes (unary or batch entries) this node holds while Kafka acknowledges them; beyond,"
                    + " calls are refused with RESOURCE_EXHAUSTED before anything is produced");
    public static final Setting<Integer> FANOUT_MAX_LAG_MS = Setting.intRange("api.fanout-max-lag-ms", 1_000, 0,
            600_000, "Routing lag bound for tag and broadcast pushes: while some router is more than half this"
                    + " far behind (the age since acceptance of the oldest push it is routing or routed in the last"
                    + " second, longlink_router_behind_ms), the share of them admitted falls with every read of the"
                    + " lag, and rises again once within half; none is admitted past it; the refused get"
                    + " RESOURCE_EXHAUSTED and a retry hint; 0 = never refused for lag");
    public static final Setting<Integer> QUOTA_PUSHES_PER_S = Setting.intRange("api.quota.pushes-per-s", 10_000, 1,
            Quota.MAX_PUSHES_PER_S, "Pushes per second an app may make, all api-nodes together, unless SetQuota gave it its own"
                    + " (a Push or a PushBatch entry is one)");
    public static final Setting<Integer> QUOTA_FANOUTS_PER_S = Setting.intRange("api.quota.fanouts-per-s", 10, 1,
            Quota.MAX_FANOUTS_PER_S, "Pushes to tags or broadcast per second an app may make, all api-nodes together, unless"
                    + " SetQuota gave it its own");
    public static final Setting<Integer> QUOTA_DEVICES_PER_CALL = Setting.intRange("api.quota.devices-per-call",
            PushLimits.MAX_DEVICES, 1, PushLimits.MAX_DEVICES, "Device ids, or aliases, one push of an app may name,"
                    + " unless SetQuota gave it its own");
    public static final Setting<Integer> ALIAS_MAX_DEVICES = Setting.intRange("api.alias-max-devices", 100, 1,
            10_000, "Devices one alias may hold");
    public static final Setting<Integer> TAG_REFRESH_TIMEOUT_MS = Setting.intRange("api.tag-refresh-timeout-ms", 500,
            0, 10_000, "Deadline of the RefreshTags call that AddTags/RemoveTags make to the device's conn-node"
                    + " (best effort); 0 = no call, a connected device gets new tags when it reconnects");
    public static final Setting<Integer> RECEIPT_STREAMS_MAX = Setting.intRange("api.receipt-streams-max", 256, 1,
            100_000, "Concurrent StreamReceipts calls on this node");
    public static final Setting<Integer> RECEIPT_QUEUE_MAX = Setting.intRange("api.receipt-queue-max", 4_096, 16,
            1_000_000, "Receipts queued for one slow StreamReceipts caller before its stream is ended");

    private ApiSettings() {
    }

    public static List<Setting<?>> all() {
        return NodeSettings.forRole(ADMIN_PORT, List.of(GRPC_HOST, GRPC_PORT, GRPC_THREADS, TLS_CERT, TLS_KEY,
                ADMIN_TOKEN, AUTH_CACHE_MS, AUTH_CACHE_MAX, TOKEN_TTL_SECONDS, REQUEST_ID_TTL_SECONDS,
                STATUS_RETENTION_SECONDS, KAFKA_TIMEOUT_MS, KAFKA_LINGER_MS, MAX_INFLIGHT_PUSHES, FANOUT_MAX_LAG_MS,
                QUOTA_PUSHES_PER_S,
                QUOTA_FANOUTS_PER_S, QUOTA_DEVICES_PER_CALL, ALIAS_MAX_DEVICES,
                TAG_REFRESH_TIMEOUT_MS, RECEIPT_STREAMS_MAX, RECEIPT_QUEUE_MAX));
    }
}
