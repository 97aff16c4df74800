package io.longlink.loadtest.unicast;

import io.longlink.common.redis.RedisStore;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Redis executed during the measured window, from {@code INFO commandstats} read at the same two
 * instants as {@link CpuWindow}: calls and command time of every command, and the inbox writes
 * ({@code ZADD}) among them. Divided by the pushes of the window, these show what each push cost
 * Redis, and how many copies took the store path rather than being acknowledged in time.
 */
final class RedisCommandWindow {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private final RedisStore redis;
    private Map<String, long[]> before = Map.of();
    private long startNanos;
    private long calls;
    private long micros;
    private long inboxWrites;
    private double seconds;

    RedisCommandWindow(RedisStore redis) {
        this.redis = redis;
    }

    void start() {
        before = snapshot();
        startNanos = System.nanoTime();
    }

    void end() {
        Map<String, long[]> after = snapshot();
        seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, long[]> window = new HashMap<>();
        after.forEach((cmd, v) -> {
            long[] b = before.getOrDefault(cmd, new long[2]);
            if (v[0] > b[0]) {
                window.put(cmd, new long[] {v[0] - b[0], v[1] - b[1]});
            }
        });
        calls = window.values().stream().mapToLong(v -> v[0]).sum();
        micros = window.values().stream().mapToLong(v -> v[1]).sum();
        inboxWrites = window.getOrDefault("zadd", new long[2])[0];
        StringBuilder top = new StringBuilder();
        window.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .forEach(e -> top.append(' ').append(e.getKey()).append('=').append(e.getValue()[0])
                        .append('/').append(e.getValue()[1]));
        log.info("redis over the measured window ({} s), command=calls/usec:{}", Math.round(seconds), top);
    }

    /** Redis commands per push, given the pushes per second acknowledged in the window. */
    double callsPerPush(double pushesPerSecond) {
        return perPush(calls, pushesPerSecond);
    }

    /** Microseconds inside Redis commands per push (I/O not included). */
    double microsPerPush(double pushesPerSecond) {
        return perPush(micros, pushesPerSecond);
    }

    /** Inbox writes (ZADD) per push: near 0 when devices acknowledge within router.ack-wait-ms. */
    double inboxWritesPerPush(double pushesPerSecond) {
        return perPush(inboxWrites, pushesPerSecond);
    }

    private double perPush(long total, double pushesPerSecond) {
        return seconds <= 0 || pushesPerSecond <= 0 ? 0 : total / seconds / pushesPerSecond;
    }

    /** command name to {calls, usec}. */
    private Map<String, long[]> snapshot() {
        String info;
        try {
            info = redis.async().info("commandstats").get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("INFO commandstats failed: " + e, e);
        }
        return parse(info);
    }

    /** Parses lines like {@code cmdstat_zadd:calls=12,usec=34,usec_per_call=2.83,...}. */
    static Map<String, long[]> parse(String info) {
        Map<String, long[]> out = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            long[] v = new long[2];
            for (String field : line.substring(colon + 1).split(",")) {
                if (field.startsWith("calls=")) {
                    v[0] = Long.parseLong(field.substring(6));
                } else if (field.startsWith("usec=")) {
                    v[1] = Long.parseLong(field.substring(5));
                }
            }
            out.put(line.substring("cmdstat_".length(), colon), v);
        }
        return out;
    }
}
