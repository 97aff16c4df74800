package io.longlink.loadtest.sharded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What every shard's devices received, merged from the files {@link ShardRecorder} lines are written
 * to: unicast id -> latency (and how many arrived twice), broadcast id -> copies and the last one's time.
 */
final class ShardReport {
    final Map<Long, Integer> unicastLatencyMs = new HashMap<>();
    final Map<Long, long[]> broadcasts = new HashMap<>();
    long unicastDuplicates;
    long other;
    long drops;

    void add(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "u" -> {
                    if (unicastLatencyMs.putIfAbsent(Long.parseUnsignedLong(f[1]), Integer.parseInt(f[2])) != null) {
                        unicastDuplicates++;
                    }
                }
                case "b" -> {
                    long[] b = broadcasts.computeIfAbsent(Long.parseUnsignedLong(f[1]), id -> new long[2]);
                    b[0] += Long.parseLong(f[2]);
                    b[1] = Math.max(b[1], Long.parseLong(f[3]));
                }
                case "o" -> other += Long.parseLong(f[1]);
                case "d" -> drops += Long.parseLong(f[1]);
                default -> throw new IOException(file + ": unexpected line '" + line + "'");
            }
        }
    }

    /** Copies of {@code broadcastId} received by all shards' devices. */
    long copies(long broadcastId) {
        long[] b = broadcasts.get(broadcastId);
        return b == null ? 0 : b[0];
    }
}
