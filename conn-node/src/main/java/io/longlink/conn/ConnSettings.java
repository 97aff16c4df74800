package io.longlink.conn;

import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import io.longlink.common.device.DeviceLimits;
import io.longlink.common.lifecycle.NodeSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every conn-node setting, declared once. {@link #validate} adds the checks that relate two
 * settings. conn-node.example.properties lists each key with its default.
 */
public final class ConnSettings {
    public static final Setting<Integer> ADMIN_PORT = Setting.port("admin.port", 9120,
            "Admin HTTP port (/metrics, /healthz, /readyz, POST /drain)");

    // Listeners
    public static final Setting<String> DEVICE_HOST = Setting.string("conn.device.host", "127.0.0.1",
            "Bind address of the device TCP listener");
    public static final Setting<Integer> DEVICE_PORT = Setting.port("conn.device.port", 7000,
            "Port of the device TCP listener (0 = any free port)");
    public static final Setting<Integer> MQTT_PORT = Setting.intRange("conn.mqtt.port", -1, -1, 65535,
            "Port of the MQTT 3.1.1/5 device listener, on conn.device.host with the device listener's TLS"
                    + " (conn.tls.*); -1 = no MQTT listener, 0 = any free port");
    public static final Setting<Integer> MQTT_INFLIGHT_MAX = Setting.intRange("conn.mqtt.inflight-max", 256, 1,
            65_535, "QoS 1 PUBLISHes one MQTT connection may leave unacknowledged (also capped by an MQTT 5"
                    + " client's Receive Maximum); beyond, pushes go at QoS 0 and stay in the inbox");
    public static final Setting<Integer> BACKLOG = Setting.intRange("conn.device.backlog", 4096, 16, 65535,
            "Accept backlog of the device listener (the kernel caps it at net.core.somaxconn)");
    public static final Setting<String> GRPC_HOST = Setting.string("conn.grpc.host", "127.0.0.1",
            "Bind address of the internal gRPC service (routers, peer conn-nodes)");
    public static final Setting<Integer> GRPC_PORT = Setting.port("conn.grpc.port", 7100,
            "Port of the internal gRPC service (0 = any free port)");
    public static final Setting<Integer> IO_THREADS = Setting.intRange("conn.io-threads", 0, 0, 256,
            "Event-loop threads for device connections and gRPC; 0 = 2 x available processors");
    public static final Setting<String> TLS_CERT = Setting.optionalString("conn.tls.cert", "",
            "PEM certificate chain of the device listener; empty = plain TCP");
    public static final Setting<String> TLS_KEY = Setting.optionalString("conn.tls.key", "",
            "PEM PKCS#8 private key matching conn.tls.cert; empty = plain TCP");

    // Web listener (browsers): WebSocket on the device host, with the device TLS settings
    public static final Setting<Integer> WS_PORT = Setting.intRange("conn.ws.port", -1, -1, 65535,
            "Port of the web listener (WebSocket for browsers), on conn.device.host with conn.tls.*; -1 = off,"
                    + " 0 = any free port");
    public static final Setting<String> WS_PATH = Setting.string("conn.ws.path", "/ws",
            "HTTP path of WebSocket upgrades on the web listener");
    public static final Setting<String> WS_ALLOWED_ORIGINS = Setting.optionalString("conn.ws.allowed-origins", "",
            "Comma-separated browser origins (scheme://host[:port]) allowed on the web listener; others get 403;"
                    + " empty = any; requests without Origin (not from a browser) are allowed");
    public static final Setting<Boolean> WS_DEMO_PAGE = Setting.bool("conn.ws.demo-page", false,
            "Serve a demo page at / and the browser client at /longlink.js on the web listener");

    public static final Setting<Integer> HTTP_PORT = Setting.intRange("conn.http.port", -1, -1, 65535,
            "Port of the HTTP session listener (SSE and long-polling for browsers without WebSocket), on"
                    + " conn.device.host with conn.tls.* and conn.ws.allowed-origins; -1 = off, 0 = any free port");
    public static final Setting<Integer> HTTP_POLL_HOLD_MS = Setting.intRange("conn.http.poll-hold-ms", 25_000, 100,
            120_000, "How long a long poll waits for a message before it is answered with none");

    // Frames and sockets
    public static final Setting<Integer> MAX_FRAME_BYTES = Setting.intRange("conn.max-frame-bytes", 16_384, 64,
            1 << 20, "Largest body a device may send in one frame; larger declared lengths get FRAME_TOO_LARGE");
    public static final Setting<Integer> RECV_BUFFER_BYTES = Setting.intRange("conn.recv-buffer-bytes", 1_024, 64,
            65_536, "Size of each read buffer (fixed; small keeps idle connections cheap)");
    public static final Setting<Integer> SO_SNDBUF = Setting.intRange("conn.so-sndbuf", 0, 0, 16 << 20,
            "Kernel send buffer per device socket in bytes; 0 = kernel default (autotuned)");
    public static final Setting<Integer> WRITE_LOW_WATER = Setting.intRange("conn.write-buffer-low-bytes", 32_768,
            1_024, 64 << 20, "A device socket becomes writable again below this many queued outbound bytes");
    public static final Setting<Integer> WRITE_HIGH_WATER = Setting.intRange("conn.write-buffer-high-bytes", 65_536,
            1_024, 64 << 20, "A device socket stops taking deliveries (REJECTED) above this many queued bytes");
    public static final Setting<Integer> SLOW_READER_MS = Setting.intRange("conn.slow-reader-ms", 10_000, 100,
            600_000, "A device that stays unwritable this long is closed with SLOW_READER");

    public static final Setting<Integer> MAX_FRAMES_PER_S = Setting.intRange("conn.max-frames-per-s", 50, 0, 5_000,
            "Frames one connection may send per second, in bursts of twice that; beyond: RATE_LIMITED and close;"
                    + " 0 = no limit");
    public static final Setting<Integer> MAX_ACK_IDS_PER_S = Setting.intRange("conn.max-ack-ids-per-s", 2_000, 0,
            100_000, "Message ids one connection may acknowledge per second, in bursts of twice that; beyond:"
                    + " RATE_LIMITED and close; 0 = no limit");

    // Admission
    public static final Setting<Integer> MAX_UNAUTHENTICATED = Setting.intRange("conn.max-unauthenticated", 10_000, 1,
            10_000_000, "Device sockets that have not completed CONNECT held at once; beyond, a new socket gets"
                    + " REDIRECT and ERROR NODE_FULL and is closed");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.intRange("conn.max-connections", 1_000_000, 1,
            100_000_000, "Authenticated devices held at once; beyond, a CONNECT gets CONNACK NODE_FULL, REDIRECT"
                    + " (no addresses: use the server list) and ERROR NODE_FULL");
    public static final Setting<Integer> CONNECT_RATE_PER_IP = Setting.intRange("conn.connect-rate-per-ip", 50, 0,
            1_000_000, "CONNECTs per second from one source address, in bursts of twice that; beyond, REDIRECT"
                    + " (retry_after_ms) and ERROR RATE_LIMITED; 0 = no limit");
    public static final Setting<Integer> ABUSE_PENALTY_MS = Setting.intRange("conn.abuse-penalty-ms", 1_000, 0,
            60_000, "CONNECT budget (conn.connect-rate-per-ip) a source address loses each time the node closes one"
                    + " of its connections for a protocol violation (MALFORMED_FRAME, FRAME_TOO_LARGE, RATE_LIMITED);"
                    + " past its 2 s burst it is refused (RATE_LIMITED) until paid back; at most 60 s is owed;"
                    + " 0 = no penalty");
    public static final Setting<Integer> CONNECT_RATE = Setting.intRange("conn.connect-rate", 20_000, 0, 10_000_000,
            "CONNECTs per second on this node, in bursts of twice that; beyond, as for conn.max-connections;"
                    + " 0 = no limit");

    // CONNECT, heartbeats, timers
    public static final Setting<Integer> CONNECT_TIMEOUT_MS = Setting.intRange("conn.connect-timeout-ms", 10_000, 100,
            300_000, "A connection that sends no CONNECT within this time gets CONNECT_TIMEOUT");
    public static final Setting<Integer> HEARTBEAT_MIN_S = Setting.intRange("conn.heartbeat-min-s", 30, 1, 3_600,
            "Lowest heartbeat interval granted to a device");
    public static final Setting<Integer> HEARTBEAT_MAX_S = Setting.intRange("conn.heartbeat-max-s", 600, 1, 3_600,
            "Highest heartbeat interval granted to a device");
    public static final Setting<Integer> HEARTBEAT_DEFAULT_S = Setting.intRange("conn.heartbeat-default-s", 240, 1,
            3_600, "Heartbeat interval granted when CONNECT asks for 0");
    public static final Setting<Integer> IDLE_FACTOR = Setting.intRange("conn.idle-factor", 3, 2, 10,
            "A connection with no frame within heartbeat x this factor gets IDLE_TIMEOUT");
    public static final Setting<Integer> TIMER_TICK_MS = Setting.intRange("conn.timer-tick-ms", 1_000, 10, 10_000,
            "Resolution of the per-event-loop timing wheel (CONNECT deadline, idle, slow reader)");

    // Apps
    public static final Setting<Integer> APP_CACHE_SIZE = Setting.intRange("conn.app-cache-size", 10_000, 16,
            1_000_000, "Most app secrets kept in memory");
    public static final Setting<Integer> APP_CACHE_TTL_MS = Setting.intRange("conn.app-cache-ttl-ms", 60_000, 0,
            3_600_000, "How long a known app's secret is reused before Redis is asked again");
    public static final Setting<Integer> APP_CACHE_NEGATIVE_TTL_MS = Setting.intRange("conn.app-cache-negative-ttl-ms",
            5_000, 0, 3_600_000, "How long an unknown app key is remembered as unknown");

    public static final Setting<Integer> ROTATION_CLOSE_S = Setting.intRange("conn.rotation-close-s", 60, 1, 3_600,
            "After an app's secret is rotated, its sessions that authenticated before are closed (BAD_TOKEN) at"
                    + " conn.drain-rate-per-s, faster when needed to close them all within this time");

    // Routes and Redis batching
    public static final Setting<Integer> ROUTE_TTL_MS = Setting.intRange("conn.route-ttl-ms", 1_800_000, 1_000,
            86_400_000, "TTL of a device route; renewed while the device heartbeats; must be at least"
                    + " 2 x conn.heartbeat-max-s");
    public static final Setting<Integer> REDIS_BATCH_SIZE = Setting.intRange("conn.redis-batch-size", 512, 1, 65_536,
            "Commands per pipelined flush (route renewals, route deletes, ACK removals)");
    public static final Setting<Integer> REDIS_BATCH_QUEUE = Setting.intRange("conn.redis-batch-queue", 8_192, 64,
            4_194_304, "Batched Redis commands queued or awaiting Redis's answer at most; a quarter is kept for route"
                    + " renewals and log positions; when full, ACK removals wait (their device's reads pause), others"
                    + " are dropped and counted");
    public static final Setting<Integer> KICK_TIMEOUT_MS = Setting.intRange("conn.kick-timeout-ms", 2_000, 100,
            60_000, "Deadline of a Kick call to the conn-node holding a device's previous connection; a kick that"
                    + " fails is retried with backoff until that node answers or leaves, for at most 60 s");

    // Inbox
    public static final Setting<Integer> INBOX_PAGE = Setting.intRange("conn.inbox-page", 100, 1, 10_000,
            "Inbox entries read per page while catching up (the whole inbox is written, page by page)");
    public static final Setting<Integer> PENDING_MAX = Setting.intRange("conn.pending-max", 256, 1, 65_536,
            "Live deliveries held per connection while it catches up; beyond, deliveries are REJECTED and the"
                    + " inbox is written again once the catch-up ends");
    public static final Setting<Integer> MAX_TAGS = Setting.intRange("conn.max-tags-per-device",
            DeviceLimits.MAX_TAGS_PER_DEVICE, 0, DeviceLimits.MAX_TAGS_PER_DEVICE,
            "Most tags of one device loaded into the local fan-out index (AddTags allows no more); 0 = no tag index");

    // Broadcast-log replay (tag and broadcast pushes with a TTL, for devices that connect later)
    public static final Setting<Integer> REPLAY_PAGE = Setting.intRange("conn.broadcast-replay-page", 100, 1, 1_000,
            "Broadcast-log entries read per page while catching up on CONNECT");
    public static final Setting<Integer> REPLAY_MAX = Setting.intRange("conn.broadcast-replay-max", 1_000, 0,
            100_000, "Most broadcast-log entries looked at before the live pushes held meanwhile go out; the replay"
                    + " goes on right after them; 0 = no replay");
    public static final Setting<Integer> REPLAY_SKEW_MS = Setting.intRange("conn.replay-skew-ms", 60_000, 0,
            86_400_000, "A device without a log position replays the log from its start, skipping only ids older"
                    + " than its CONNECT last_message_id by more than this (ids come from several clocks)");

    // gRPC
    public static final Setting<Integer> DELIVER_WINDOW = Setting.intRange("conn.deliver-window", 8, 1, 1_024,
            "Delivery batches a router may have in flight on one Deliver stream");
    public static final Setting<Integer> GRPC_MAX_MESSAGE_BYTES = Setting.intRange("conn.grpc.max-message-bytes",
            16 << 20, 1 << 16, 256 << 20, "Largest gRPC message accepted (a delivery batch)");
    public static final Setting<Integer> FANOUT_MAX_CONCURRENT = Setting.intRange("conn.fanout-max-concurrent", 16, 1,
            1_024, "FanOut calls served at once; more get RESOURCE_EXHAUSTED");
    public static final Setting<Integer> FANOUT_SPREADS_MAX = Setting.intRange("conn.fanout-spreads-max", 16, 1,
            1_024, "Spread FanOuts still writing in the background at once; beyond, a spread FanOut writes at once");
    public static final Setting<Integer> FANOUT_LINGER_MS = Setting.intRange("conn.fanout-linger-ms", 500, 0, 1_000,
            "Fan-out copies written less than this after an event loop's last fan-out flush wait for the next"
                    + " one, so one socket write carries several pushes; 0 = flush as written");

    // Receipts
    public static final Setting<Boolean> RECEIPTS_ENABLED = Setting.bool("conn.receipts.enabled", true,
            "Emit ACKED, EXPIRED and REVOKED receipts to kafka.receipt-topic; false = no Kafka client at all");
    public static final Setting<Boolean> RECEIPTS_FANOUT_ACKED = Setting.bool("conn.receipts.fanout-acked", false,
            "Also emit an ACKED receipt for each device's ACK of a tag or broadcast copy (one per device and"
                    + " message); their acked count is kept either way");
    public static final Setting<Integer> RECEIPTS_LINGER_MS = Setting.intRange("conn.receipts.linger-ms", 20, 0,
            10_000, "Kafka producer linger: how long receipts wait to fill a batch");
    public static final Setting<Integer> RECEIPTS_QUEUE = Setting.intRange("conn.receipts.queue", 65_536, 16,
            4_194_304, "Receipts waiting for the Kafka producer; when full they are dropped and counted");
    public static final Setting<Integer> RECEIPTS_MAX_BLOCK_MS = Setting.intRange("conn.receipts.max-block-ms", 1_000,
            0, 60_000, "How long the receipt sender thread waits for Kafka metadata or buffer space");

    // Drain and load
    public static final Setting<Integer> DRAIN_RATE_PER_S = Setting.intRange("conn.drain-rate-per-s", 1_000, 1,
            1_000_000, "Connections redirected per second while draining");
    public static final Setting<Integer> DRAIN_RETRY_AFTER_MS = Setting.intRange("conn.drain-retry-after-ms", 1_000,
            0, 600_000, "Base of REDIRECT.retry_after_ms (draining, NODE_FULL, RATE_LIMITED); each client gets this"
                    + " plus a random share of it");
    public static final Setting<Integer> LOAD_PUBLISH_MS = Setting.intRange("conn.load-publish-interval-ms", 5_000,
            100, 600_000, "How often the live connection count is published in ZooKeeper");

    private ConnSettings() {
    }

    public static List<Setting<?>> all() {
        return NodeSettings.forRole(ADMIN_PORT, List.of(DEVICE_HOST, DEVICE_PORT, MQTT_PORT, MQTT_INFLIGHT_MAX,
                BACKLOG, GRPC_HOST, GRPC_PORT, IO_THREADS, TLS_CERT, TLS_KEY, WS_PORT, WS_PATH, WS_ALLOWED_ORIGINS,
                WS_DEMO_PAGE, HTTP_PORT, HTTP_POLL_HOLD_MS, MAX_FRAME_BYTES, RECV_BUFFER_BYTES, SO_SNDBUF, WRITE_LOW_WATER,
                WRITE_HIGH_WATER, SLOW_READER_MS, MAX_FRAMES_PER_S, MAX_ACK_IDS_PER_S, MAX_UNAUTHENTICATED,
                MAX_CONNECTIONS, CONNECT_RATE_PER_IP, ABUSE_PENALTY_MS, CONNECT_RATE, CONNECT_TIMEOUT_MS, HEARTBEAT_MIN_S,
                HEARTBEAT_MAX_S, HEARTBEAT_DEFAULT_S, IDLE_FACTOR, TIMER_TICK_MS, APP_CACHE_SIZE, APP_CACHE_TTL_MS,
                APP_CACHE_NEGATIVE_TTL_MS, ROTATION_CLOSE_S, ROUTE_TTL_MS, REDIS_BATCH_SIZE, REDIS_BATCH_QUEUE,
                KICK_TIMEOUT_MS, INBOX_PAGE, PENDING_MAX, MAX_TAGS, REPLAY_PAGE, REPLAY_MAX, REPLAY_SKEW_MS,
                DELIVER_WINDOW, GRPC_MAX_MESSAGE_BYTES, FANOUT_MAX_CONCURRENT, FANOUT_SPREADS_MAX, FANOUT_LINGER_MS,
                RECEIPTS_ENABLED, RECEIPTS_FANOUT_ACKED, RECEIPTS_LINGER_MS, RECEIPTS_QUEUE, RECEIPTS_MAX_BLOCK_MS,
                DRAIN_RATE_PER_S, DRAIN_RETRY_AFTER_MS, LOAD_PUBLISH_MS));
    }

    /** Checks between settings, reported like single-setting problems. */
    public static void validate(Config config) throws ConfigException {
        List<String> problems = new ArrayList<>();
        int min = config.get(HEARTBEAT_MIN_S);
        int max = config.get(HEARTBEAT_MAX_S);
        int dflt = config.get(HEARTBEAT_DEFAULT_S);
        if (min > max) {
            problems.add(HEARTBEAT_MIN_S.key() + ": " + min + " (expected: at most conn.heartbeat-max-s = " + max + ")");
        }
        if (dflt < min || dflt > max) {
            problems.add(HEARTBEAT_DEFAULT_S.key() + ": " + dflt + " (expected: between conn.heartbeat-min-s = " + min
                    + " and conn.heartbeat-max-s = " + max + ")");
        }
        long ttl = config.get(ROUTE_TTL_MS);
        if (ttl < 2L * max * 1000) {
            problems.add(ROUTE_TTL_MS.key() + ": " + ttl + " (expected: at least 2 x conn.heartbeat-max-s x 1000 = "
                    + 2L * max * 1000 + ", or routes of idle but live devices would expire)");
        }
        int low = config.get(WRITE_LOW_WATER);
        int high = config.get(WRITE_HIGH_WATER);
        if (low > high) {
            problems.add(WRITE_LOW_WATER.key() + ": " + low + " (expected: at most conn.write-buffer-high-bytes = "
                    + high + ")");
        }
        boolean cert = !config.get(TLS_CERT).isEmpty();
        boolean key = !config.get(TLS_KEY).isEmpty();
        if (cert != key) {
            problems.add(TLS_KEY.key() + ": set conn.tls.cert and conn.tls.key together (expected: both or neither)");
        }
        Map<Integer, String> listenerPorts = new HashMap<>();
        for (Setting<Integer> port : List.of(DEVICE_PORT, MQTT_PORT, WS_PORT, HTTP_PORT)) {
            int value = config.get(port);
            String other = value > 0 ? listenerPorts.putIfAbsent(value, port.key()) : null;
            if (other != null) {
                problems.add(port.key() + ": " + value + " (expected: another port than " + other + ")");
            }
        }
        if (!config.get(WS_PATH).startsWith("/")) {
            problems.add(WS_PATH.key() + ": " + config.get(WS_PATH) + " (expected: a path starting with /)");
        }
        if (config.get(REPLAY_MAX) > 0 && config.get(REPLAY_PAGE) > config.get(REPLAY_MAX)) {
            problems.add(REPLAY_PAGE.key() + ": " + config.get(REPLAY_PAGE)
                    + " (expected: at most conn.broadcast-replay-max = " + config.get(REPLAY_MAX) + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }
}
