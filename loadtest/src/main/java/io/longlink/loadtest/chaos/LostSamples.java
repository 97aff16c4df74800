package io.longlink.loadtest.chaos;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the lost copies of a run (and its order violations), one line each, with what Redis still knows about them (the
 * message's status hash, whether the copy sits in the device's inbox) and the device's last
 * connection events: enough to tell "never routed" from "stored but not sent" from "trimmed".
 */
final class LostSamples {
    private static final Logger log = LoggerFactory.getLogger("bench");
    /** Copies looked up in Redis (one pipelined round each); the rest are written without. */
    private static final int LOOKED_UP = 300;

    private LostSamples() {
    }

    static void write(Path file, List<ChaosTally.LostCopy> lost, List<DeviceLog> devices, String redisUri,
                      String appKey) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id\tkind\tttl_s\taccepted_ms\tid_ms\tphase\tdevice\ttargets\tstatus\tin_inbox\tdevice_events\n");
            RedisStore redis = open(redisUri);
            try {
                for (int i = 0; i < lost.size(); i++) {
                    ChaosTally.LostCopy c = lost.get(i);
                    Accepted a = c.push();
                    String status = "-";
                    String inInbox = "-";
                    if (redis != null && i < LOOKED_UP) {
                        status = status(redis, a.id());
                        inInbox = a.kind().ordered() || a.kind() == PushKind.ALIAS
                                ? Boolean.toString(inInbox(redis, appKey, c.device(), a.id())) : "-";
                    }
                    w.write(Long.toUnsignedString(a.id()) + "\t" + a.kind().key() + "\t" + a.ttlSeconds() + "\t"
                            + a.acceptedMs() + "\t" + Probe.idMillis(a.id()) + "\t" + c.phase() + "\t"
                            + Audiences.deviceId(c.device()) + "\t" + a.targets().length + "\t" + status + "\t"
                            + inInbox + "\t" + String.join(" | ", devices.get(c.device()).events()) + "\n");
                }
            } finally {
                if (redis != null) {
                    redis.close();
                }
            }
        }
    }

    /** The order violations: the push shown late and the later-accepted one it was shown after. */
    static void writeReorders(Path file, List<ChaosTally.Reorder> reorders) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("device\tphase\tkind\tcaller\tid\trank\taccepted_ms\tshown_after_id\tshown_after_rank"
                    + "\tshown_after_accepted_ms\n");
            for (ChaosTally.Reorder r : reorders) {
                w.write(Audiences.deviceId(r.device()) + "\t" + r.phase() + "\t" + r.push().kind().key() + "\t"
                        + r.push().caller() + "\t" + Long.toUnsignedString(r.push().id()) + "\t" + r.push().rank()
                        + "\t" + r.push().acceptedMs() + "\t" + Long.toUnsignedString(r.after().id()) + "\t"
                        + r.after().rank() + "\t" + r.after().acceptedMs() + "\n");
            }
        }
    }

    private static RedisStore open(String uri) {
        try {
            return RedisStore.open(uri, false, 5_000);
        } catch (RuntimeException e) {
            log.warn("lost samples without Redis details: {}", e.toString());
            return null;
        }
    }

    private static String status(RedisStore redis, long id) {
        try {
            Map<String, byte[]> h = redis.async().hgetall(RedisKeys.stat(id)).get(5, TimeUnit.SECONDS);
            Map<String, String> sorted = new TreeMap<>();
            h.forEach((k, v) -> sorted.put(k, new String(v, StandardCharsets.UTF_8)));
            StringBuilder sb = new StringBuilder();
            sorted.forEach((k, v) -> {
                if (!k.equals(RedisKeys.STAT_APP)) {
                    sb.append(sb.isEmpty() ? "" : ",").append(k).append('=').append(v);
                }
            });
            return sb.isEmpty() ? "none" : sb.toString();
        } catch (Exception e) {
            return "error:" + e.getClass().getSimpleName();
        }
    }

    private static boolean inInbox(RedisStore redis, String appKey, int device, long id) {
        try {
            return redis.async().zscore(RedisKeys.inbox(appKey, Audiences.deviceId(device)),
                    RedisKeys.inboxMember(id).getBytes(StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS) != null;
        } catch (Exception e) {
            return false;
        }
    }
}
