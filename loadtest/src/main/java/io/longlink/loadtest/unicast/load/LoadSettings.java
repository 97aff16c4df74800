package io.longlink.loadtest.unicast.load;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the unicast load generator (a Gatling JVM started by the scenario) needs, handed over as
 * {@code -Dlonglink.load.*} system properties: the one place that names them, for both sides.
 *
 * @param api          host:port of the api-node's public gRPC port
 * @param devicePrefix devices are {@code devicePrefix-0} .. {@code devicePrefix-(devices-1)}
 * @param rate         pushes per second, warm-up and measured phase alike
 * @param batch        pushes per API call: 1 = PushService.Push, more = PushService.PushBatch of that
 *                     many entries (each to its own random device), at rate / batch calls per second
 * @param channels     gRPC connections to the api-node, used round-robin
 * @param maxInFlight  calls awaiting their answer at most; beyond, a push fails at once as
 *                     {@code client_in_flight_limit} (an open model must not queue without bound)
 * @param out          folder for the accepted ids and the summary
 */
public record LoadSettings(String api, String appKey, String appSecret, String devicePrefix, int devices, int rate,
                           int batch, int warmupSeconds, int durationSeconds, int payloadBytes, int ttlSeconds, int channels,
                           int maxInFlight, int deadlineMs, Path out) {
    static final String PREFIX = "longlink.load.";

    public LoadSettings {
        requireNonNull(api, "api");
        requireNonNull(appKey, "appKey");
        requireNonNull(appSecret, "appSecret");
        requireNonNull(devicePrefix, "devicePrefix");
        requireNonNull(out, "out");
        check("devices", devices, 1, 10_000_000);
        check("rate", rate, 1, 1_000_000);
        check("batch", batch, 1, 1_000);
        check("warmup-s", warmupSeconds, 0, 3_600);
        check("duration-s", durationSeconds, 1, 3_600);
        check("payload-bytes", payloadBytes, 1, 4_096);
        check("ttl-s", ttlSeconds, 0, 864_000);
        check("channels", channels, 1, 64);
        check("max-in-flight", maxInFlight, 1, 10_000_000);
        check("deadline-ms", deadlineMs, 100, 600_000);
    }

    /** API calls per second: each carries {@link #batch} pushes. */
    public double callsPerSecond() {
        return (double) rate / batch;
    }

    /** The longest the generator can hold ids for: every push of both phases, at the rate. */
    public long plannedPushes() {
        return (long) rate * (warmupSeconds + durationSeconds);
    }

    public List<String> systemProperties() {
        List<String> out = new ArrayList<>();
        prop(out, "api", api);
        prop(out, "app-key", appKey);
        prop(out, "app-secret", appSecret);
        prop(out, "device-prefix", devicePrefix);
        prop(out, "devices", devices);
        prop(out, "rate", rate);
        prop(out, "batch", batch);
        prop(out, "warmup-s", warmupSeconds);
        prop(out, "duration-s", durationSeconds);
        prop(out, "payload-bytes", payloadBytes);
        prop(out, "ttl-s", ttlSeconds);
        prop(out, "channels", channels);
        prop(out, "max-in-flight", maxInFlight);
        prop(out, "deadline-ms", deadlineMs);
        prop(out, "out", this.out);
        return out;
    }

    public static LoadSettings fromSystemProperties() {
        return new LoadSettings(text("api"), text("app-key"), text("app-secret"), text("device-prefix"),
                integer("devices"), integer("rate"), integer("batch"), integer("warmup-s"), integer("duration-s"),
                integer("payload-bytes"), integer("ttl-s"), integer("channels"), integer("max-in-flight"),
                integer("deadline-ms"), Path.of(text("out")));
    }

    private static void prop(List<String> out, String name, Object value) {
        out.add("-D" + PREFIX + name + "=" + value);
    }

    private static String text(String name) {
        String v = System.getProperty(PREFIX + name, "").strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + name + ": not set (the unicast scenario sets it)");
        }
        return v;
    }

    private static int integer(String name) {
        String v = text(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + name + ": '" + v + "' (expected: an integer)");
        }
    }

    private static void check(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(PREFIX + name + ": " + v + " (expected: " + min + ".." + max + ")");
        }
    }
}
