package io.longlink.sdk.reconnect;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which server to try next. Configured servers are tried in order and rotated on failure; a server
 * that accepted the device stays first until an attempt on it fails. REDIRECT addresses go before
 * the configured ones until each has failed once. A round is the attempts between two backoff
 * waits: {@link #failed()} says when every server of the list has failed in it.
 * Not thread-safe (the client's I/O thread owns it).
 */
public final class ServerList {
    /** A REDIRECT can name at most this many addresses; the rest are ignored. */
    public static final int MAX_REDIRECT_ADDRESSES = 16;

    private final List<HostPort> configured;
    private final ArrayDeque<HostPort> redirected = new ArrayDeque<>();
    private final Set<HostPort> failedThisRound = new HashSet<>();
    private int index;

    public ServerList(List<HostPort> configured) {
        requireNonNull(configured, "configured");
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("servers: empty (expected at least one host:port)");
        }
        this.configured = List.copyOf(configured);
    }

    public HostPort current() {
        HostPort head = redirected.peekFirst();
        return head != null ? head : configured.get(index);
    }

    /**
     * The attempt on {@link #current()} failed: move on. True when the next server has failed in
     * this round too, i.e. every server of the list has.
     */
    public boolean failed() {
        failedThisRound.add(current());
        if (redirected.pollFirst() == null) {
            index = (index + 1) % configured.size();
        }
        return failedThisRound.contains(current());
    }

    /** Starts a round: every server may be tried once more before the next backoff. */
    public void newRound() {
        failedThisRound.clear();
    }

    /** Try these first; an empty list means "the configured servers" (the bootstrap). */
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

    public List<HostPort> configured() {
        return configured;
    }
}
