package io.longlink.sdk.heartbeat;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adaptive heartbeat: learns, per network, the longest PING interval that keeps the connection alive
 * inside the server's range, because NAT and carrier middleboxes drop idle mappings after
 * network-specific times and every avoided PING saves battery.
 *
 * <p>Each connection gets a {@link Session} that starts at the interval learned for the current
 * network key (or the server's interval). After {@code probeAfter} answered PINGs in a row it probes
 * one step longer, never past the server's maximum nor an interval that failed before on this network.
 * A missed PONG (or a lost connection) while probing remembers the probed interval as failed, so the
 * next connection falls back to the last good one. Two missed PONGs in a row at the good interval step
 * it down, since the network may have changed under the same key.
 *
 * <p>Pure logic: time is passed in as milliseconds from any monotonic clock. All methods lock this
 * object, so the I/O thread, the scheduler and the app may call them.
 */
public final class AdaptiveHeartbeat {
    /** Interval used when the server names none. */
    public static final int FALLBACK_SECONDS = 60;

    public enum Action {
        /** Nothing due; call again at {@link Session#nextDeadlineMillis()}. */
        NONE,
        /** Send a PING now. */
        SEND_PING,
        /** The last PING got no PONG in time: treat the connection as dead. */
        PONG_TIMEOUT
    }

    private final int probeAfter;
    private final int stepSeconds;
    private final long pongTimeoutMillis;
    private final int memoryLimit;
    // guarded by this
    private final LinkedHashMap<String, Learned> memory;
    private String networkKey = "";

    public AdaptiveHeartbeat(int probeAfter, int stepSeconds, long pongTimeoutMillis, int memoryLimit) {
        if (probeAfter < 1) {
            throw new IllegalArgumentException("probeAfter: " + probeAfter + " (expected >= 1)");
        }
        if (stepSeconds < 1) {
            throw new IllegalArgumentException("stepSeconds: " + stepSeconds + " (expected >= 1)");
        }
        if (pongTimeoutMillis < 1) {
            throw new IllegalArgumentException("pongTimeoutMillis: " + pongTimeoutMillis + " (expected >= 1)");
        }
        if (memoryLimit < 1) {
            throw new IllegalArgumentException("memoryLimit: " + memoryLimit + " (expected >= 1)");
        }
        this.probeAfter = probeAfter;
        this.stepSeconds = stepSeconds;
        this.pongTimeoutMillis = pongTimeoutMillis;
        this.memoryLimit = memoryLimit;
        // Access order, so the least recently used network is forgotten first.
        this.memory = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Learned> eldest) {
                return size() > AdaptiveHeartbeat.this.memoryLimit;
            }
        };
    }

    /** The network the next connections use (e.g. Wi-Fi SSID or carrier); "" when unknown. */
    public synchronized void setNetworkKey(String key) {
        networkKey = requireNonNull(key, "key");
    }

    public synchronized String networkKey() {
        return networkKey;
    }

    /** The learned good interval for a network, or 0 when none was learned. */
    public synchronized int learnedSeconds(String key) {
        Learned learned = memory.get(requireNonNull(key, "key"));
        return learned == null ? 0 : learned.good;
    }

    /** Restores a learned interval (e.g. persisted by the app); forgets failed probes for that network. */
    public synchronized void putLearnedSeconds(String key, int seconds) {
        requireNonNull(key, "key");
        if (seconds < 1) {
            throw new IllegalArgumentException("seconds: " + seconds + " (expected >= 1)");
        }
        Learned learned = new Learned();
        learned.good = seconds;
        memory.put(key, learned);
    }

    /** Snapshot of every learned interval by network key, for the app to persist. */
    public synchronized Map<String, Integer> learnedSnapshot() {
        Map<String, Integer> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Learned> e : memory.entrySet()) {
            if (e.getValue().good > 0) {
                copy.put(e.getKey(), e.getValue().good);
            }
        }
        return copy;
    }

    /** The interval to ask for in CONNECT: the learned one for the current network, or 0 (server's choice). */
    public synchronized int wishSeconds() {
        return learnedSeconds(networkKey);
    }

    /**
     * Starts the heartbeat of a new connection from the CONNACK values. Missing range bounds (0) mean
     * the server allows only {@code serverSeconds}.
     */
    public synchronized Session start(long nowMillis, int serverSeconds, int serverMin, int serverMax) {
        int expected = serverSeconds > 0 ? serverSeconds : FALLBACK_SECONDS;
        int min = serverMin > 0 ? serverMin : expected;
        int max = serverMax > 0 ? serverMax : expected;
        if (min > max || expected < min || expected > max) {
            // An inconsistent range from the server: hold its interval rather than guess.
            min = expected;
            max = expected;
        }
        Learned learned = memory.computeIfAbsent(networkKey, k -> new Learned());
        int start = learned.good > 0 ? clamp(learned.good, min, max) : expected;
        return new Session(learned, min, max, start, nowMillis);
    }

    private static int clamp(int value, int min, int max) {
        return Math.max(min, Math.min(max, value));
    }

    /** What one network has taught us. Guarded by the outer instance. */
    private static final class Learned {
        int good;
        int ceiling = Integer.MAX_VALUE;
        int timeoutsAtGood;
    }

    /** The heartbeat of one connection. Every method locks the outer {@link AdaptiveHeartbeat}. */
    public final class Session {
        private final Learned learned;
        private final int min;
        private final int max;
        private int good;
        private int current;
        private int answered;
        private boolean awaitingPong;
        private boolean ended;
        private long nextPingAt;
        private long pongDeadline;

        private Session(Learned learned, int min, int max, int start, long nowMillis) {
            this.learned = learned;
            this.min = min;
            this.max = max;
            this.good = start;
            this.current = start;
            this.nextPingAt = nowMillis + start * 1000L;
        }

        /** What is due at {@code nowMillis}. After PONG_TIMEOUT the session has ended. */
        public Action poll(long nowMillis) {
            synchronized (AdaptiveHeartbeat.this) {
                if (ended) {
                    return Action.NONE;
                }
                if (awaitingPong) {
                    if (nowMillis < pongDeadline) {
                        return Action.NONE;
                    }
                    failed(true);
                    return Action.PONG_TIMEOUT;
                }
                if (nowMillis < nextPingAt) {
                    return Action.NONE;
                }
                awaitingPong = true;
                pongDeadline = nowMillis + pongTimeoutMillis;
                return Action.SEND_PING;
            }
        }

        /** When to call {@link #poll} next. */
        public long nextDeadlineMillis() {
            synchronized (AdaptiveHeartbeat.this) {
                return awaitingPong ? pongDeadline : nextPingAt;
            }
        }

        /** A PONG arrived: the current interval kept the path open. */
        public void onPong(long nowMillis) {
            synchronized (AdaptiveHeartbeat.this) {
                if (ended || !awaitingPong) {
                    return;
                }
                awaitingPong = false;
                good = current;
                learned.good = current;
                learned.timeoutsAtGood = 0;
                answered++;
                if (answered >= probeAfter) {
                    int probe = Math.min(max, current + stepSeconds);
                    if (probe > current && probe < learned.ceiling) {
                        current = probe;
                        answered = 0;
                    }
                }
                // Idle time is what middleboxes count, so measure the interval from the last traffic.
                nextPingAt = nowMillis + current * 1000L;
            }
        }

        /** The connection was lost without a server reason: a probe in progress counts as failed. */
        public void onConnectionLost() {
            synchronized (AdaptiveHeartbeat.this) {
                if (!ended) {
                    failed(false);
                }
            }
        }

        /** The connection ended for a reason unrelated to the heartbeat (server close, app close). */
        public void end() {
            synchronized (AdaptiveHeartbeat.this) {
                ended = true;
            }
        }

        public int currentSeconds() {
            synchronized (AdaptiveHeartbeat.this) {
                return current;
            }
        }

        public int goodSeconds() {
            synchronized (AdaptiveHeartbeat.this) {
                return good;
            }
        }

        public int maxSeconds() {
            return max;
        }

        private void failed(boolean pongMissed) {
            ended = true;
            awaitingPong = false;
            if (current > good) {
                learned.ceiling = Math.min(learned.ceiling, current);
                current = good;
                return;
            }
            if (!pongMissed) {
                return;
            }
            learned.timeoutsAtGood++;
            if (learned.timeoutsAtGood >= 2) {
                learned.ceiling = Math.min(learned.ceiling, current);
                learned.good = Math.max(min, current - stepSeconds);
                learned.timeoutsAtGood = 0;
                good = learned.good;
                current = good;
            }
        }
    }
}
