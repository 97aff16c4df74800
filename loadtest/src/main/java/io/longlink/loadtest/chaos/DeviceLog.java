package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import io.longlink.sdk.Disconnect;
import io.longlink.sdk.Listener;
import io.longlink.sdk.PushMessage;
import io.longlink.sdk.SessionInfo;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What one device's app was shown, as the SDK hands it over: every message (id, arrival time) in
 * arrival order, and the connection history for diagnosis. The SDK calls it on the client's I/O
 * thread; readers on other threads take a snapshot. Guarded by {@code this}.
 */
final class DeviceLog implements Listener {
    private static final int EVENTS_KEPT = 24;

    private final int device;
    private final LongSupplier clock;
    private final RecoveryWindows windows;
    private long[] ids = new long[64];
    private long[] times = new long[64];
    private int size;
    private int connects;
    private int kicks;
    private final ArrayDeque<String> events = new ArrayDeque<>();

    DeviceLog(int device, LongSupplier clock, RecoveryWindows windows) {
        this.device = device;
        this.clock = requireNonNull(clock, "clock");
        this.windows = requireNonNull(windows, "windows");
    }

    @Override
    public void onMessage(PushMessage message) {
        long now = clock.getAsLong();
        Probe probe = Probe.decode(message.payload());
        if (probe != null && probe.kind().stored()) {
            windows.shown(message.id(), now);
        }
        synchronized (this) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                times = Arrays.copyOf(times, size * 2);
            }
            ids[size] = message.id();
            times[size] = now;
            size++;
        }
    }

    @Override
    public void onConnected(SessionInfo session) {
        event("connected " + session.nodeId());
        synchronized (this) {
            connects++;
        }
    }

    @Override
    public void onDisconnected(Disconnect d) {
        event("disconnected " + d.code() + " " + d.reason());
    }

    @Override
    public void onKicked(String reason) {
        event("kicked " + reason);
        synchronized (this) {
            kicks++;
        }
    }

    @Override
    public void onRedirect(List<String> addresses, long retryAfterMillis, String reason) {
        event("redirected to " + addresses + " " + reason);
    }

    private void event(String what) {
        String line = clock.getAsLong() + " " + what;
        synchronized (this) {
            if (events.size() == EVENTS_KEPT) {
                events.removeFirst();
            }
            events.addLast(line);
        }
    }

    int device() {
        return device;
    }

    synchronized Shown snapshot() {
        return new Shown(Arrays.copyOf(ids, size), Arrays.copyOf(times, size));
    }

    synchronized int connects() {
        return connects;
    }

    synchronized int kicks() {
        return kicks;
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** Message ids in the order shown, with their arrival times (epoch ms). */
    record Shown(long[] ids, long[] times) {
    }
}
