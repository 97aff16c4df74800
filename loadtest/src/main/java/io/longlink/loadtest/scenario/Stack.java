package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the stack under test is: what ops/bench started (or found with --use-running), handed to
 * the scenario JVM as system properties {@code longlink.bench.*}. {@code device}, {@code admin} and
 * {@code connPid} are conn-1's; {@code devices} lists every conn-node's device listener, {@code mqtts}
 * every conn-node's MQTT listener (empty when they have none);
 * {@code api} is the api-node's gRPC host:port ("" when the stack has none), {@code apis} every api-node's
 * (api-1 first; empty when none); {@code pids} maps each
 * process name (redis, kafka, api-1, conn-2, ...) to its process id, for CPU accounting.
 */
public record Stack(String redisUri, InetSocketAddress device, URI admin, long connPid, long redisPid,
                    List<InetSocketAddress> devices, String api, List<String> apis, String adminToken,
                    Map<String, Long> pids, List<InetSocketAddress> mqtts) {
    public static final String REDIS = "longlink.bench.redis";
    public static final String DEVICE = "longlink.bench.device";
    public static final String ADMIN = "longlink.bench.admin";
    public static final String CONN_PID = "longlink.bench.conn-pid";
    /** Optional: lets the run say how much CPU Redis took; 0 = not known. */
    public static final String REDIS_PID = "longlink.bench.redis-pid";
    /** Optional: every conn-node's device listener, host:port,host:port. */
    public static final String DEVICES = "longlink.bench.devices";
    /** Optional: the first conn-node's web (WebSocket) listener, host:port. */
    public static final String WEB = "longlink.bench.web";
    /** Optional: the api-node's public gRPC host:port. */
    public static final String API = "longlink.bench.api";
    /** Optional: every conn-node's MQTT listener, host:port,host:port. */
    public static final String MQTTS = "longlink.bench.mqtts";
    /** Optional: every api-node's public gRPC host:port,host:port. */
    public static final String APIS = "longlink.bench.apis";
    /** Optional: file holding the api-node's admin token. */
    public static final String ADMIN_TOKEN_FILE = "longlink.bench.admin-token-file";
    /** Optional: name:pid,name:pid of the stack's processes. */
    public static final String PIDS = "longlink.bench.pids";

    /** One conn-node and nothing else known. */
    public Stack(String redisUri, InetSocketAddress device, URI admin, long connPid, long redisPid) {
        this(redisUri, device, admin, connPid, redisPid, List.of(device), "", List.of(), "", Map.of(), List.of());
    }

    /** The same stack whose conn-nodes' MQTT listeners are {@code mqtts}, conn-1's first. */
    public Stack withMqtts(List<InetSocketAddress> mqtts) {
        return new Stack(redisUri, device, admin, connPid, redisPid, devices, api, apis, adminToken, pids, mqtts);
    }

    public Stack {
        requireNonNull(redisUri, "redisUri");
        requireNonNull(device, "device");
        requireNonNull(admin, "admin");
        devices = List.copyOf(devices);
        requireNonNull(api, "api");
        apis = List.copyOf(apis);
        requireNonNull(adminToken, "adminToken");
        pids = Map.copyOf(pids);
        mqtts = List.copyOf(mqtts);
    }

    /** Throws unless the stack has an api-node and its admin token, which {@code scenario} creates its app with. */
    public void requireApi(String scenario) {
        if (api.isEmpty() || adminToken.isEmpty()) {
            throw new IllegalStateException("the stack has no api-node (" + API + ", " + ADMIN_TOKEN_FILE
                    + " unset): run through ops/bench " + scenario);
        }
    }

    /** The first conn-node's web listener ({@link #WEB}), for scenarios whose devices use WebSocket. */
    public static InetSocketAddress web() throws UsageException {
        return hostPort(WEB, required(WEB, "host:port of the conn-node web (WebSocket) listener"));
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
        InetSocketAddress conn1 = InetSocketAddress.createUnresolved(device.substring(0, colon), port);
        List<InetSocketAddress> devices = new ArrayList<>();
        String all = System.getProperty(DEVICES, "").strip();
        if (all.isEmpty()) {
            devices.add(conn1);
        } else {
            for (String d : all.split(",")) {
                devices.add(hostPort(DEVICES, d.strip()));
            }
        }
        String api = System.getProperty(API, "").strip();
        List<String> apis = new ArrayList<>();
        if (!api.isEmpty()) {
            hostPort(API, api);
            apis.add(api);
        }
        String allApis = System.getProperty(APIS, "").strip();
        if (!allApis.isEmpty()) {
            apis.clear();
            for (String a : allApis.split(",")) {
                hostPort(APIS, a.strip());
                apis.add(a.strip());
            }
        }
        String token = "";
        String tokenFile = System.getProperty(ADMIN_TOKEN_FILE, "").strip();
        if (!tokenFile.isEmpty()) {
            try {
                token = Files.readString(Path.of(tokenFile)).strip();
            } catch (IOException e) {
                throw new UsageException(ADMIN_TOKEN_FILE + ": '" + tokenFile + "' cannot be read (" + e + ")");
            }
        }
        Map<String, Long> pids = new LinkedHashMap<>();
        String pidList = System.getProperty(PIDS, "").strip();
        if (!pidList.isEmpty()) {
            for (String entry : pidList.split(",")) {
                int c = entry.indexOf(':');
                try {
                    pids.put(entry.substring(0, c).strip(), Long.parseLong(entry.substring(c + 1).strip()));
                } catch (RuntimeException e) {
                    throw new UsageException(PIDS + ": '" + entry + "' (expected: name:pid)");
                }
            }
        }
        List<InetSocketAddress> mqtts = new ArrayList<>();
        String allMqtts = System.getProperty(MQTTS, "").strip();
        if (!allMqtts.isEmpty()) {
            for (String m : allMqtts.split(",")) {
                mqtts.add(hostPort(MQTTS, m.strip()));
            }
        }
        return new Stack(redis, conn1, adminUri, connPid, redisPid, devices, api, apis, token, pids, mqtts);
    }

    private static InetSocketAddress hostPort(String key, String value) throws UsageException {
        int colon = value.lastIndexOf(':');
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (colon > 0 && port >= 1 && port <= 65535) {
                return InetSocketAddress.createUnresolved(value.substring(0, colon), port);
            }
        } catch (RuntimeException e) {
            // falls through to the message below
        }
        throw new UsageException(key + ": '" + value + "' (expected: host:port)");
    }

    private static String required(String key, String expected) throws UsageException {
        String v = System.getProperty(key, "").strip();
        if (v.isEmpty()) {
            throw new UsageException(key + ": not set (expected: " + expected + "); ops/bench sets it");
        }
        return v;
    }
}
