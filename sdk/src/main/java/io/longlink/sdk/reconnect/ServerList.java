package io.longlink.sdk.reconnect;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Which server to try next. Configured servers are tried in order and rotated on failure; a server
 * that accepted the device stays first until an attempt on it fails. REDIRECT addresses go before
 * the configured ones until each has failed once. Not thread-safe (the client's I/O thread owns it).
 */
public final class ServerList {
    /** A REDIRECT can name at most this many addresses; the rest are ignored. */
    public static final int MAX_REDIRECT_ADDRESSES = 16;

    private final List<HostPort> configured;
    private final ArrayDeque<HostPort> redirected = new ArrayDeque<>();
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

    /** The attempt on {@link #current()} failed: move on. */
    public void failed() {
        if (redirected.pollFirst() == null) {
            index = (index + 1) % configured.size();
        }
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
