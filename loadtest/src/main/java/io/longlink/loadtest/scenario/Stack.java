package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * Where the stack under test is: what ops/bench started (or found with --use-running), handed to
 * the scenario JVM as system properties {@code longlink.bench.*}.
 */
public record Stack(String redisUri, InetSocketAddress device, URI admin, long connPid, long redisPid) {
    public static final String REDIS = "longlink.bench.redis";
    public static final String DEVICE = "longlink.bench.device";
    public static final String ADMIN = "longlink.bench.admin";
    public static final String CONN_PID = "longlink.bench.conn-pid";
    /** Optional: lets the run say how much CPU Redis took; 0 = not known. */
    public static final String REDIS_PID = "longlink.bench.redis-pid";

    public Stack {
        requireNonNull(redisUri, "redisUri");
        requireNonNull(device, "device");
        requireNonNull(admin, "admin");
    }

    public static Stack fromSystemProperties() throws UsageException {
        String redis = required(REDIS, "a Redis URI like redis://127.0.0.1:6379");
        String device = required(DEVICE, "host:port of the conn-node device listener");
        String admin = required(ADMIN, "the conn-node admin base URL like http://127.0.0.1:9120");
        String pid = required(CONN_PID, "the conn-node process id");
        int colon = device.lastIndexOf(':');
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(device.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new UsageException(DEVICE + ": '" + device + "' (expected: host:port)");
        }
        long connPid;
        try {
            connPid = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            throw new UsageException(CONN_PID + ": '" + pid + "' (expected: a process id)");
        }
        if (ProcessHandle.of(connPid).isEmpty()) {
            throw new UsageException(CONN_PID + ": " + connPid + " (expected: a running process)");
        }
        URI adminUri;
        try {
            adminUri = URI.create(admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin);
        } catch (IllegalArgumentException e) {
            throw new UsageException(ADMIN + ": '" + admin + "' (expected: a URL)");
        }
        long redisPid = 0;
        String rp = System.getProperty(REDIS_PID, "").strip();
        if (!rp.isEmpty()) {
            try {
                redisPid = Long.parseLong(rp);
            } catch (NumberFormatException e) {
                throw new UsageException(REDIS_PID + ": '" + rp + "' (expected: a process id or nothing)");
            }
        }
        return new Stack(redis, InetSocketAddress.createUnresolved(device.substring(0, colon), port), adminUri,
                connPid, redisPid);
    }

    private static String required(String key, String expected) throws UsageException {
        String v = System.getProperty(key, "").strip();
        if (v.isEmpty()) {
            throw new UsageException(key + ": not set (expected: " + expected + "); ops/bench sets it");
        }
        return v;
    }
}
