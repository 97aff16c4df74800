package io.longlink.loadtest.capacity;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What {@link CapacitySimulation} runs against and how hard, from {@code -Dlonglink.*} system
 * properties (the one place that names them; {@link #describe} lists each value used). Either an
 * admin token (the app is created, and its quotas set, through the API) or an app key and secret.
 *
 * @param api             host:port of each api-node (calls spread over them)
 * @param connNodes       host:port of conn-node device ports; empty = ask BootstrapService.GetConnNodes
 * @param apiTls          TLS to the API; {@code apiCa} a PEM file of the CAs to trust, empty = the JDK's
 * @param deviceTls       TLS to the device ports; {@code deviceCa} likewise
 * @param tokenSource     {@code mint} (HMAC with the app secret, as an app server does) or {@code register}
 *                        (DeviceService.RegisterDevice per device)
 * @param sourceIps       loopback source addresses 127.0.0.2.. to spread devices over; 0 = the kernel's choice
 * @param unicastRate     unicast pushes per second, in calls of {@code batch} pushes (1 = Push, more = PushBatch)
 * @param broadcastRate   broadcasts per second (each to every device of the app)
 * @param p99Ms           assertion: p99 of each delivery latency below this
 * @param errorPct        assertion: failed requests (calls, connects, deliveries missing) at most this % of all
 * @param out             folder for {@code capacity-summary.properties}
 */
public record CapacitySettings(List<String> api, List<String> connNodes, boolean apiTls, Optional<Path> apiCa,
                               boolean deviceTls, Optional<Path> deviceCa, Optional<String> adminToken,
                               Optional<String> appKey, Optional<String> appSecret, String tokenSource, String devicePrefix,
                               int devices, int rampSeconds, int durationSeconds, int unicastRate, int batch,
                               double broadcastRate, int payloadBytes, int ttlSeconds, int heartbeatSeconds,
                               int sourceIps, int ioThreads, int deadlineMs, int graceSeconds, int p99Ms,
                               double errorPct, Path out) {
    static final String PREFIX = "longlink.";
    static final String MINT = "mint";
    static final String REGISTER = "register";

    public CapacitySettings {
        api = List.copyOf(api);
        connNodes = List.copyOf(connNodes);
        requireNonNull(apiCa, "apiCa");
        requireNonNull(deviceCa, "deviceCa");
        requireNonNull(adminToken, "adminToken");
        requireNonNull(appKey, "appKey");
        requireNonNull(appSecret, "appSecret");
        requireNonNull(tokenSource, "tokenSource");
        requireNonNull(devicePrefix, "devicePrefix");
        requireNonNull(out, "out");
        if (api.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + "api: empty (expected: host:port of at least one api-node)");
        }
        if (appKey.isPresent() != appSecret.isPresent()) {
            throw new IllegalArgumentException(PREFIX + "app-key, " + PREFIX + "app-secret: one without the other"
                    + " (expected: both, or neither with " + PREFIX + "admin-token)");
        }
        if (appKey.isEmpty() && adminToken.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + "admin-token: not set (expected: an admin token to create the"
                    + " app, or " + PREFIX + "app-key and " + PREFIX + "app-secret of an existing app)");
        }
        if (!tokenSource.equals(MINT) && !tokenSource.equals(REGISTER)) {
            throw new IllegalArgumentException(PREFIX + "token-source: " + tokenSource + " (expected: mint or register)");
        }
        check("devices", devices, 1, 10_000_000);
        check("ramp-s", rampSeconds, 0, 3_600);
        check("duration-s", durationSeconds, 1, 86_400);
        check("unicast-rate", unicastRate, 0, 1_000_000);
        check("batch", batch, 1, 1_000);
        if (!(broadcastRate >= 0 && broadcastRate <= 1_000)) {
            throw new IllegalArgumentException(PREFIX + "broadcast-rate: " + broadcastRate + " (expected: 0..1000)");
        }
        check("payload-bytes", payloadBytes, 1, 4_096);
        check("ttl-s", ttlSeconds, 0, 864_000);
        check("heartbeat-s", heartbeatSeconds, 1, 3_600);
        check("source-ips", sourceIps, 0, 250);
        check("io-threads", ioThreads, 1, 64);
        check("deadline-ms", deadlineMs, 100, 600_000);
        check("grace-s", graceSeconds, 1, 3_600);
        check("assert-p99-ms", p99Ms, 1, 3_600_000);
        if (!(errorPct >= 0 && errorPct <= 100)) {
            throw new IllegalArgumentException(PREFIX + "assert-error-pct: " + errorPct + " (expected: 0..100)");
        }
    }

    /** API calls per second that carry the unicast pushes. */
    double unicastCallsPerSecond() {
        return (double) unicastRate / batch;
    }

    public static CapacitySettings fromSystemProperties() {
        Props p = new Props();
        List<String> api = p.list("api");
        List<String> connNodes = p.list("conn-nodes");
        boolean loopback = !connNodes.isEmpty() && connNodes.stream().allMatch(CapacitySettings::isLoopback)
                || connNodes.isEmpty() && api.stream().allMatch(CapacitySettings::isLoopback);
        String runId = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
        return new CapacitySettings(api, connNodes, p.bool("api-tls", false), p.path("api-ca"),
                p.bool("device-tls", false), p.path("device-ca"), p.text("admin-token"), p.text("app-key"),
                p.text("app-secret"), p.text("token-source").orElse(MINT), p.text("device-prefix").orElse("cap-" + runId),
                p.integer("devices", 1_000), p.integer("ramp-s", 30), p.integer("duration-s", 60),
                p.integer("unicast-rate", 500), p.integer("batch", 1), p.decimal("broadcast-rate", 0.2),
                p.integer("payload-bytes", 64), p.integer("ttl-s", 600), p.integer("heartbeat-s", 30),
                p.integer("source-ips", loopback ? 50 : 0), p.integer("io-threads", 2), p.integer("deadline-ms", 10_000),
                p.integer("grace-s", 30), p.integer("assert-p99-ms", 1_000), p.decimal("assert-error-pct", 1.0),
                p.path("out").orElse(Path.of("target", "capacity")));
    }

    /** Every setting as {@code name=value}, the secrets masked: logged at the start of a run. */
    public Map<String, String> describe() {
        Map<String, String> m = new TreeMap<>();
        m.put("api", String.join(",", api));
        m.put("conn-nodes", connNodes.isEmpty() ? "(bootstrap)" : String.join(",", connNodes));
        m.put("api-tls", apiTls + apiCa.map(c -> " ca=" + c).orElse(""));
        m.put("device-tls", deviceTls + deviceCa.map(c -> " ca=" + c).orElse(""));
        m.put("admin-token", adminToken.map(t -> "***").orElse("(none)"));
        m.put("app-key", appKey.orElse("(created)"));
        m.put("token-source", tokenSource);
        m.put("device-prefix", devicePrefix);
        m.put("devices", Integer.toString(devices));
        m.put("ramp-s", Integer.toString(rampSeconds));
        m.put("duration-s", Integer.toString(durationSeconds));
        m.put("unicast-rate", unicastRate + " (batch " + batch + ")");
        m.put("broadcast-rate", Double.toString(broadcastRate));
        m.put("payload-bytes", Integer.toString(payloadBytes));
        m.put("ttl-s", Integer.toString(ttlSeconds));
        m.put("heartbeat-s", Integer.toString(heartbeatSeconds));
        m.put("source-ips", sourceIps == 0 ? "0 (kernel's choice)" : Integer.toString(sourceIps));
        m.put("assert-p99-ms", Integer.toString(p99Ms));
        m.put("assert-error-pct", Double.toString(errorPct));
        m.put("out", out.toString());
        return m;
    }

    private static boolean isLoopback(String hostPort) {
        String host = hostPort.substring(0, Math.max(0, hostPort.lastIndexOf(':')));
        return host.startsWith("127.") || host.equals("localhost");
    }

    private static void check(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(PREFIX + name + ": " + v + " (expected: " + min + ".." + max + ")");
        }
    }

    /** The {@code longlink.*} system properties, read with their names in every error. */
    private static final class Props {
        Optional<String> text(String name) {
            return Optional.ofNullable(System.getProperty(PREFIX + name)).map(String::strip).filter(v -> !v.isEmpty());
        }

        List<String> list(String name) {
            return text(name).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .toList()).orElse(List.of());
        }

        Optional<Path> path(String name) {
            return text(name).map(Path::of);
        }

        boolean bool(String name, boolean fallback) {
            Optional<String> v = text(name).map(s -> s.toLowerCase(Locale.ROOT));
            if (v.isEmpty()) {
                return fallback;
            }
            return switch (v.get()) {
                case "true", "on", "yes" -> true;
                case "false", "off", "no" -> false;
                default -> throw new IllegalArgumentException(PREFIX + name + ": '" + v.get() + "' (expected: true or false)");
            };
        }

        int integer(String name, int fallback) {
            Optional<String> v = text(name);
            try {
                return v.isEmpty() ? fallback : Integer.parseInt(v.get());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PREFIX + name + ": '" + v.get() + "' (expected: an integer)");
            }
        }

        double decimal(String name, double fallback) {
            Optional<String> v = text(name);
            try {
                return v.isEmpty() ? fallback : Double.parseDouble(v.get());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PREFIX + name + ": '" + v.get() + "' (expected: a number)");
            }
        }
    }
}
