package io.longlink.sdk.reconnect;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which server to try next. The list (the configured servers, or the server supplier's latest
 * answer) is tried in order and rotated on failure; a server that accepted the device stays first
 * until an attempt on it fails. REDIRECT addresses go before the list until each has failed once.
 * A round is the attempts between two backoff waits: {@link #failed()} says when every server has
 * failed in it. A server that refused the device with a time to come back after ({@link #rest})
 * is not tried again before it ({@link #restMillis}). Not thread-safe (the client's I/O thread owns it).
 */
public final class ServerList {
    /** A REDIRECT can name at most this many addresses; the rest are ignored. */
    public static final int MAX_REDIRECT_ADDRESSES = 16;
    /** A server supplier's answer counts up to this many addresses (GetConnNodes answers at most 100). */
    public static final int MAX_SUPPLIED_ADDRESSES = 100;

    private final List<HostPort> configured;
    private List<HostPort> servers;
    private final ArrayDeque<HostPort> redirected = new ArrayDeque<>();
    private final Set<HostPort> failedThisRound = new HashSet<>();
    /** Servers that asked not to be tried before a time (monotonic ms); expired ones are dropped. */
    private final Map<HostPort, Long> restingUntil = new HashMap<>();
    private int index;

    public ServerList(List<HostPort> configured) {
        requireNonNull(configured, "configured");
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("servers: empty (expected at least one host:port)");
        }
        this.configured = List.copyOf(configured);
        this.servers = this.configured;
    }

    public HostPort current() {
        HostPort head = redirected.peekFirst();
        return head != null ? head : servers.get(index);
    }

    /** The attempt on {@link #current()} failed: move on. True when every server has failed in this round. */
    public boolean failed() {
        failedThisRound.add(current());
        if (redirected.pollFirst() == null) {
            index = (index + 1) % servers.size();
        }
        return failedThisRound.containsAll(servers) && failedThisRound.containsAll(redirected);
    }

    /** Starts a round: every server may be tried once more before the next backoff. */
    public void newRound() {
        failedThisRound.clear();
    }

    /**
     * Rotates through {@code supplied} (its first {@link #MAX_SUPPLIED_ADDRESSES}) from now on, or
     * through the configured servers when it is empty. An unchanged list keeps its position.
     */
    public void use(List<HostPort> supplied) {
        requireNonNull(supplied, "supplied");
        List<HostPort> next = supplied.isEmpty() ? configured
                : List.copyOf(supplied.subList(0, Math.min(supplied.size(), MAX_SUPPLIED_ADDRESSES)));
        if (!next.equals(servers)) {
            servers = next;
            index = 0;
        }
    }

    /** Try these first; an empty list means the server list (configured or supplied: the bootstrap). */
    public void redirect(List<HostPort> addresses) {
        requireNonNull(addresses, "addresses");
        redirected.clear();
        for (HostPort address : addresses) {
            if (redirected.size() == MAX_REDIRECT_ADDRESSES) {
                break;
            }
            redirected.addLast(address);
        }
    }

    /** {@code server} takes the device again from {@code untilMillis} on (both monotonic ms, as {@code nowMillis}). */
    public void rest(HostPort server, long untilMillis, long nowMillis) {
        requireNonNull(server, "server");
        restingUntil.values().removeIf(until -> until - nowMillis <= 0);
        restingUntil.merge(server, untilMillis, (a, b) -> a - b >= 0 ? a : b);
    }

    /** How long to wait before trying {@link #current()}: 0 unless it is resting. */
    public long restMillis(long nowMillis) {
        Long until = restingUntil.get(current());
        return until == null ? 0 : Math.max(0, until - nowMillis);
    }

    public List<HostPort> configured() {
        return configured;
    }
}
