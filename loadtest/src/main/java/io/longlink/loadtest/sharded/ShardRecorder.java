package io.longlink.loadtest.sharded;

import io.longlink.loadtest.client.PushListener;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What the devices of one event loop of a shard received: each unicast id with its
 * accept-to-device latency, and per broadcast id the copies and when the last arrived. Called on
 * that loop's thread only (as {@link PushListener} promises), and read there too.
 */
final class ShardRecorder implements PushListener {
    /** First payload byte of the scenario's unicast pushes; broadcasts carry {@link #BROADCAST}. */
    static final int UNICAST = 'U';
    static final int BROADCAST = 'B';

    private long[] unicastIds = new long[1024];
    private int[] latenciesMs = new int[1024];
    private int unicasts;
    /** Broadcast id -> {copies, epoch ms of the last}. */
    private final Map<Long, long[]> broadcasts = new HashMap<>();
    private long other;

    @Override
    public void onPush(long messageId, long sentAtMs, int firstPayloadByte) {
        long now = System.currentTimeMillis();
        if (firstPayloadByte == UNICAST) {
            if (unicasts == unicastIds.length) {
                unicastIds = Arrays.copyOf(unicastIds, unicasts * 2);
                latenciesMs = Arrays.copyOf(latenciesMs, unicasts * 2);
            }
            unicastIds[unicasts] = messageId;
            latenciesMs[unicasts++] = (int) Math.max(0, Math.min(Integer.MAX_VALUE, now - sentAtMs));
        } else if (firstPayloadByte == BROADCAST) {
            long[] b = broadcasts.computeIfAbsent(messageId, id -> new long[2]);
            b[0]++;
            b[1] = Math.max(b[1], now);
        } else {
            other++;
        }
    }

    /** Lines {@code u ID LATENCY_MS}, {@code b ID COPIES LAST_MS} and {@code o COUNT}, as {@link ShardReport} reads them. */
    void writeTo(StringBuilder out) {
        for (int i = 0; i < unicasts; i++) {
            out.append("u ").append(Long.toUnsignedString(unicastIds[i])).append(' ').append(latenciesMs[i]).append('\n');
        }
        for (Map.Entry<Long, long[]> e : broadcasts.entrySet()) {
            out.append("b ").append(Long.toUnsignedString(e.getKey())).append(' ').append(e.getValue()[0]).append(' ')
                    .append(e.getValue()[1]).append('\n');
        }
        out.append("o ").append(other).append('\n');
    }
}
