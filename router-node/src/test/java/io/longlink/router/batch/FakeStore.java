package io.longlink.router.batch;

import io.longlink.common.redis.RedisKeys;
import io.longlink.router.store.BatchStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Redis as a batch sees it, in memory: what each command answers and leaves behind, and the calls
 * it got, round trip by round trip (one per {@link #pipelined}, one per call outside a pipeline).
 */
final class FakeStore implements BatchStore {
    static final byte[] TOMBSTONE = new byte[0];

    /** The calls of each round trip, by method name. */
    final List<List<String>> roundTrips = new ArrayList<>();
    /** Methods that fail, as when Redis does not answer. */
    final Set<String> failing = new HashSet<>();
    final Map<Long, byte[]> bodies = new HashMap<>();
    final Map<Long, Long> bodyTtls = new HashMap<>();
    final Map<String, String> routes = new HashMap<>();
    final Map<String, Set<String>> aliases = new HashMap<>();
    /** Per inbox key, member -> position, in position order. */
    final Map<String, LinkedHashMap<String, Long>> inboxes = new HashMap<>();
    final Map<String, Long> inboxSeqs = new HashMap<>();
    final Map<String, Long> inboxTtls = new HashMap<>();
    final Map<String, String> collapsed = new HashMap<>();
    /** Per app, member -> position, in position order. */
    final Map<String, LinkedHashMap<String, Long>> broadcastLogs = new HashMap<>();
    final Map<String, Long> broadcastSeqs = new HashMap<>();

    final Map<Long, Map<String, Long>> stats = new HashMap<>();
    private List<String> pipeline;

    void route(String appKey, String deviceId, String value) {
        routes.put(RedisKeys.route(appKey, deviceId), value);
    }

    /** The members of a device's inbox in position order. */
    List<String> inbox(String appKey, String deviceId) {
        return List.copyOf(inboxes.getOrDefault(RedisKeys.inbox(appKey, deviceId), new LinkedHashMap<>()).keySet());
    }

    /** The members of an app's broadcast log in position order. */
    List<String> broadcastLog(String appKey) {
        return List.copyOf(broadcastLogs.getOrDefault(appKey, new LinkedHashMap<>()).keySet());
    }

    Map<String, Long> stat(long messageId) {
        return stats.getOrDefault(messageId, Map.of());
    }

    @Override
    public void pipelined(Runnable issue) {
        pipeline = new ArrayList<>();
        try {
            issue.run();
        } finally {
            roundTrips.add(pipeline);
            pipeline = null;
        }
    }

    private <T> CompletableFuture<T> answer(String method, T value) {
        if (pipeline != null) {
            pipeline.add(method);
        } else {
            roundTrips.add(List.of(method));
        }
        return failing.contains(method) ? CompletableFuture.failedFuture(new IllegalStateException("Redis down"))
                : CompletableFuture.completedFuture(value);
    }

    @Override
    public CompletableFuture<Set<byte[]>> aliasMembers(String appKey, String alias) {
        Set<byte[]> members = new LinkedHashSet<>();
        aliases.getOrDefault(RedisKeys.alias(appKey, alias), Set.of())
                .forEach(d -> members.add(d.getBytes(StandardCharsets.UTF_8)));
        return answer("aliasMembers", members);
    }

    @Override
    public CompletableFuture<List<byte[]>> routes(List<String> routeKeys) {
        List<byte[]> values = new ArrayList<>();
        for (String k : routeKeys) {
            String v = routes.get(k);
            values.add(v == null ? null : v.getBytes(StandardCharsets.UTF_8));
        }
        return answer("routes", values);
    }

    @Override
    public CompletableFuture<byte[]> storeBody(long messageId, byte[] body, long ttlMs) {
        byte[] before = bodies.get(messageId);
        if (before == null && !failing.contains("storeBody")) {
            bodies.put(messageId, body);
            bodyTtls.put(messageId, ttlMs);
        }
        return answer("storeBody", before);
    }

    @Override
    public CompletableFuture<byte[]> revocation(long messageId) {
        return answer("revocation", bodies.get(messageId));
    }

    @Override
    public CompletableFuture<InboxAdd> addToInbox(String appKey, String deviceId, byte[] member, byte[] inboxMax,
                                                  byte[] ttlMs, byte[] collapseKey) {
        String inbox = RedisKeys.inbox(appKey, deviceId);
        String m = ascii(member);
        LinkedHashMap<String, Long> entries = inboxes.computeIfAbsent(inbox, k -> new LinkedHashMap<>());
        if (entries.containsKey(m)) {
            return answer("addToInbox", new InboxAdd(false, 0, List.of()));
        }
        long position = inboxSeqs.merge(inbox, 1L, Long::sum);
        long replaced = 0;
        if (collapseKey.length > 0) {
            String old = collapsed.put(RedisKeys.collapse(appKey, deviceId) + '/' + ascii(collapseKey), m);
            if (old != null && !old.equals(m) && entries.remove(old) != null) {
                replaced = Long.parseUnsignedLong(old);
            }
        }
        entries.put(m, position);
        inboxTtls.merge(inbox, Long.parseLong(ascii(ttlMs)), Math::max);
        return answer("addToInbox", new InboxAdd(true, replaced, trim(entries, Long.parseLong(ascii(inboxMax)))));
    }

    @Override
    public CompletableFuture<LogAppend> appendBroadcast(String appKey, byte[] member, byte[] filter, byte[] logMax,
                                                        byte[] ttlMs) {
        String m = ascii(member);
        LinkedHashMap<String, Long> log = broadcastLogs.computeIfAbsent(appKey, k -> new LinkedHashMap<>());
        Long at = log.get(m);
        if (at != null) {
            return answer("appendBroadcast", new LogAppend(at, List.of()));
        }
        long position = broadcastSeqs.merge(appKey, 1L, Long::sum);
        log.put(m, position);
        return answer("appendBroadcast", new LogAppend(position, trim(log, Long.parseLong(ascii(logMax)))));
    }

    /** Removes the lowest positions beyond {@code max}; returns their ids. */
    private static List<Long> trim(LinkedHashMap<String, Long> entries, long max) {
        List<Long> trimmed = new ArrayList<>();
        Iterator<String> it = entries.keySet().iterator();
        while (entries.size() > max) {
            trimmed.add(Long.parseUnsignedLong(it.next()));
            it.remove();
        }
        return trimmed;
    }

    @Override
    public CompletableFuture<Boolean> countInboxDrop(long messageId) {
        boolean drop = RedisKeys.isBody(bodies.get(messageId));
        if (drop && stats.containsKey(messageId)) {
            stats.get(messageId).merge(RedisKeys.STAT_DROPPED, 1L, Long::sum);
        }
        return answer("countInboxDrop", drop);
    }

    @Override
    public CompletableFuture<Boolean> countLogTrim(long messageId, long nowMs) {
        boolean drop = RedisKeys.isBody(bodies.get(messageId));
        if (drop && stats.containsKey(messageId)) {
            stats.get(messageId).putIfAbsent(RedisKeys.STAT_LOG_TRIMMED_MS, nowMs);
        }
        return answer("countLogTrim", drop);
    }

    @Override
    public CompletableFuture<Long> firstRouted(long messageId, long nowMs, long targeted, long online, long stored,
                                               long acked) {
        Map<String, Long> stat = stats.computeIfAbsent(messageId, k -> new HashMap<>());
        stat.put(RedisKeys.STAT_ROUTED_MS, nowMs);
        stat.put(RedisKeys.STAT_TARGETED, targeted);
        putIfPositive(stat, RedisKeys.STAT_ONLINE, online);
        putIfPositive(stat, RedisKeys.STAT_STORED, stored);
        putIfPositive(stat, RedisKeys.STAT_ACKED, acked);
        return answer("firstRouted", 1L);
    }

    private static void putIfPositive(Map<String, Long> stat, String field, long n) {
        if (n > 0) {
            stat.put(field, n);
        }
    }

    @Override
    public CompletableFuture<Boolean> routedAgain(long messageId, long nowMs, long targeted, long online,
                                                  long stored) {
        Map<String, Long> stat = stats.computeIfAbsent(messageId, k -> new HashMap<>());
        boolean first = stat.putIfAbsent(RedisKeys.STAT_ROUTED_MS, nowMs) == null;
        if (first) {
            Map.of(RedisKeys.STAT_TARGETED, targeted, RedisKeys.STAT_ONLINE, online, RedisKeys.STAT_STORED, stored)
                    .forEach((field, n) -> {
                        if (n > 0) {
                            stat.merge(field, n, Long::sum);
                        }
                    });
        }
        return answer("routedAgain", first);
    }

    @Override
    public CompletableFuture<Boolean> routed(long messageId, long nowMs) {
        stats.computeIfAbsent(messageId, k -> new HashMap<>()).put(RedisKeys.STAT_ROUTED_MS, nowMs);
        return answer("routed", true);
    }

    @Override
    public CompletableFuture<Long> count(long messageId, String field, long n) {
        long now = stats.computeIfAbsent(messageId, k -> new HashMap<>()).merge(field, n, Long::sum);
        return answer("count", now);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
