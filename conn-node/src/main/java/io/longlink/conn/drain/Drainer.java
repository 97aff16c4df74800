package io.longlink.conn.drain;

import static java.util.Objects.requireNonNull;

import io.longlink.common.discovery.Membership;
import io.longlink.common.discovery.NodeInfo;
import io.longlink.conn.session.Session;
import io.longlink.conn.session.SessionLayer;
import io.longlink.conn.tcp.AbstractDeviceInitializer;
import io.longlink.proto.device.Redirect;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drain for a rolling upgrade: the node stops accepting and marks itself draining in the membership
 * (bootstrap stops offering it; routers keep delivering and fanning out to the devices it still
 * holds), then tells its clients at a bounded rate to reconnect elsewhere (REDIRECT with other
 * serving nodes and a jittered retry delay) and closes them; once the last connection is gone it
 * leaves the membership. Nothing accepted is lost: undelivered messages stay in the devices'
 * inboxes (or the broadcast log) and are caught up wherever the devices reconnect. The bounded rate
 * is what prevents a reconnect storm.
 */
public final class Drainer {
    private static final Logger log = LoggerFactory.getLogger(Drainer.class);
    private static final int TICK_MS = 100;
    private static final int MAX_ADDRESSES = 8;

    private final String selfId;
    private final SessionLayer sessions;
    private final Membership membership;
    private final ScheduledExecutorService scheduler;
    private final int ratePerSecond;
    private final int retryAfterMs;
    private final Runnable stopAccepting;
    private final Runnable markDraining;
    private final Runnable deregister;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean draining;
    private boolean redirecting; // guarded by this
    private ArrayDeque<Session> queue; // scheduler thread only
    private double credit; // scheduler thread only: redirects allowed but not yet used (rates below one per tick)
    private volatile ScheduledFuture<?> ticker;

    /**
     * @param markDraining publishes the draining state in the membership entry
     * @param deregister   removes the membership entry: once the last connection is gone
     */
    public Drainer(String selfId, SessionLayer sessions, Membership membership, ScheduledExecutorService scheduler,
                   int ratePerSecond, int retryAfterMs, Runnable stopAccepting, Runnable markDraining,
                   Runnable deregister) {
        this.selfId = requireNonNull(selfId, "selfId");
        this.sessions = requireNonNull(sessions, "sessions");
        this.membership = requireNonNull(membership, "membership");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.ratePerSecond = ratePerSecond;
        this.retryAfterMs = retryAfterMs;
        this.stopAccepting = requireNonNull(stopAccepting, "stopAccepting");
        this.markDraining = requireNonNull(markDraining, "markDraining");
        this.deregister = requireNonNull(deregister, "deregister");
    }

    public boolean isDraining() {
        return draining;
    }

    /** Step one, idempotent: refuse new connections, and say so in the membership. */
    public void stopAccepting() {
        if (!draining) {
            draining = true;
            log.info("draining: no longer accepting connections node={}", selfId);
        }
        stopAccepting.run();
        markDraining.run();
    }

    /**
     * The whole drain, asked for on the admin port or by a stop (idempotent): stop accepting,
     * redirect every client at the configured rate, then leave the membership. The future completes
     * when no device socket is left.
     */
    public CompletableFuture<Void> drain() {
        stopAccepting();
        return redirectAll();
    }

    /** Redirects every client at the configured rate (idempotent), then leaves the membership. */
    public synchronized CompletableFuture<Void> redirectAll() {
        draining = true;
        if (!redirecting) {
            redirecting = true;
            log.info("draining: redirecting clients node={} connections={} rate={}/s", selfId,
                    sessions.index().size(), ratePerSecond);
            ticker = scheduler.scheduleAtFixedRate(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
        }
        return drained;
    }

    public CompletableFuture<Void> drained() {
        return drained;
    }

    private void tick() {
        if (drained.isDone()) {
            cancelTicker(); // the first tick may finish before drain() stored the ticker
            return;
        }
        try {
            if (queue == null || queue.isEmpty()) {
                // sessions that registered after the last snapshot (CONNECTs already in flight) are picked up here
                queue = new ArrayDeque<>(sessions.index().snapshot());
            }
            double perTick = ratePerSecond * TICK_MS / 1000.0;
            credit = Math.min(credit + perTick, Math.max(1, perTick)); // no burst after an idle stretch
            Map<String, Redirect> redirects = new HashMap<>(); // by the listener's endpoint key
            while (credit >= 1 && !queue.isEmpty()) {
                credit--;
                Session s = queue.poll();
                Redirect redirect = redirects.computeIfAbsent(AbstractDeviceInitializer.endpointOf(s.channel()),
                        this::redirect);
                sessions.delivery().redirect(s, redirect.toBuilder().setRetryAfterMs(jitteredRetry()).build());
            }
            if (queue.isEmpty() && sessions.index().size() == 0 && sessions.sockets() == 0) {
                log.info("drained: no device connections left node={}", selfId);
                deregister.run();
                drained.complete(null);
                cancelTicker();
            }
        } catch (RuntimeException e) {
            log.warn("drain tick failed", e);
        }
    }

    private void cancelTicker() {
        ScheduledFuture<?> t = ticker;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Other serving conn-nodes' device addresses, least loaded first; draining ones (this one) are not listed. */
    public Redirect redirect() {
        return redirect(AbstractDeviceInitializer.DEVICE_ENDPOINT);
    }

    /** As {@link #redirect()}, to the listeners published under {@code endpoint}: WebSocket devices go to WebSocket ones. */
    private Redirect redirect(String endpoint) {
        List<NodeInfo> others = membership.nodes().stream()
                .filter(n -> !n.id().equals(selfId) && !n.draining() && n.endpoint(endpoint) != null)
                .sorted(Comparator.comparingLong(NodeInfo::load))
                .limit(MAX_ADDRESSES)
                .toList();
        Redirect.Builder b = Redirect.newBuilder().setRetryAfterMs(jitteredRetry())
                .setReason("node " + selfId + " is draining; reconnect to another node");
        others.forEach(n -> b.addAddresses(n.endpoint(endpoint)));
        return b.build();
    }

    private int jitteredRetry() {
        return retryAfterMs + (retryAfterMs == 0 ? 0 : ThreadLocalRandom.current().nextInt(retryAfterMs));
    }
}
