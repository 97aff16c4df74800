package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.Outcome;
import io.longlink.router.deliver.ConnNodeLink;
import io.longlink.router.deliver.ConnNodeLinks;
import io.longlink.router.receipt.ReceiptWriter;
import io.longlink.common.redis.Route;
import io.longlink.router.store.BatchStore;
import io.longlink.router.store.RoutingStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one polled batch of push commands, in rounds of at most {@code batchMaxTargets} devices.
 * Each round costs a fixed number of round trips whatever its size:
 * <ol>
 *   <li>alias expansion (only when the round names aliases): SMEMBERS of every alias, pipelined;</li>
 *   <li>one pipelined Redis round trip for everything that must be safe before delivery: per message
 *       its admission ({@code SET ll:msg:{id} <body> NX GET PX <ttl>}: stores the body once and
 *       answers whether Revoke left its tombstone there; a GET for an online-only message), MGETs of
 *       every device's route, per device the inbox writes of copies that do not wait for their ACK
 *       (TTL &gt; 0: add, bound, TTL as plain commands; a message with a collapse key takes the inbox
 *       script, which also collapses), and per tag/broadcast message the app's broadcast log;</li>
 *   <li>delivery: one DeliveryBatch stream per conn-node, one FanOut per conn-node for tags and
 *       broadcast, all in flight at once and each bounded by its timeout. A TTL &gt; 0 unicast
 *       without collapse key ({@link Message#awaitAck}) is delivered before any inbox write: its
 *       conn-node answers ACKED when the device acknowledges it within {@code router.ack-wait-ms};</li>
 *   <li>only when some awaited copy was not ACKED: one pipelined round trip with its inbox writes,
 *       its body's TTL extended to the message's (an awaitAck body is admitted with
 *       {@code router.acked-body-retention-seconds}) and its device's route read again, and a second
 *       delivery of those that may otherwise sit unseen in the inbox (see {@link #storeMisses});</li>
 *   <li>status, pipelined and not awaited: on a direct message's first routing one HSET of
 *       {@code routed_ms} and its counters; on a later routing (a retry after a crash) HINCRBYs,
 *       plus {@code routed_ms}/{@code targeted} if the first routing's status never got written;
 *       for fan-outs HINCRBYs.</li>
 * </ol>
 * The inbox entries go out with the admission check rather than after it: a message revoked before
 * it was routed therefore may get inbox entries, but its body is the tombstone Revoke left (the
 * admission finds it and writes nothing), so a conn-node draining such an entry drops it and counts
 * it {@code revoked}; it is never delivered.
 * {@link #route} returns only when every copy of the batch is in its inbox (or the broadcast log),
 * was acknowledged by its device, or is a TTL 0 copy handed to its conn-node; it throws when Redis
 * failed, and then nothing of
 * the batch may be committed. A Deliver batch that fails (timeout, stream reset) counts as not
 * delivered here; its link retries it in the background and {@link #route} does not wait for that:
 * the messages are in the inboxes already, so committing the offsets loses nothing. Online-only
 * messages (TTL 0) for devices that are not reachable now, and revoked messages, are dropped by design.
 */
public final class BatchRouter {
    private static final Logger log = LoggerFactory.getLogger(BatchRouter.class);
    static final int SLOW_ROUND_MS = 100;
    private static final long SLOW_ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(SLOW_ROUND_MS);

    private final RoutingStore store;
    private final ConnNodeLinks links;
    private final ReceiptWriter receipts;
    private final RouterMetrics metrics;
    private final LongSupplier clock;
    private final Limits limits;
    private final byte[] inboxMax;
    private final byte[] logMax;
    private final LogThrottle slowRounds = new LogThrottle();

    /**
     * @param receipts null when STORED receipts are off
     */
    public BatchRouter(RoutingStore store, ConnNodeLinks links, ReceiptWriter receipts, RouterMetrics metrics,
                       LongSupplier clock, Limits limits) {
        this.store = requireNonNull(store, "store");
        this.links = requireNonNull(links, "links");
        this.receipts = receipts;
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.limits = requireNonNull(limits, "limits");
        this.inboxMax = RoutingStore.ascii(limits.inboxMax());
        this.logMax = RoutingStore.ascii(limits.broadcastLogMax());
    }

    /** Numbers the router works within; see RouterSettings for each. */
    public record Limits(int batchMaxTargets, int inboxMax, int broadcastLogMax, int deliverBatchMax,
                         long deliverTimeoutMs, long fanOutTimeoutMs, int fanOutMaxInflight, long redisTimeoutMs,
                         int ackWaitMs, long ackedBodyRetentionMs) {
    }

    public void route(List<PushCommand> commands) throws Exception {
        List<Message> round = new ArrayList<>();
        int weight = 0;
        for (PushCommand c : commands) {
            Message m = new Message(c);
            if (!round.isEmpty() && weight + m.weight() > limits.batchMaxTargets()) {
                routeRound(round);
                round = new ArrayList<>();
                weight = 0;
            }
            round.add(m);
            weight += m.weight();
        }
        if (!round.isEmpty()) {
            routeRound(round);
        }
    }

    private void routeRound(List<Message> messages) throws Exception {
        long now = clock.getAsLong();
        long t0 = System.nanoTime();
        expandAliases(messages);
        List<Target> targets = new ArrayList<>();
        for (Message m : messages) {
            m.awaitAck = limits.ackWaitMs() > 0 && m.stores() && !m.isFanOut() && m.collapseKey.length == 0;
            for (String device : m.devices) {
                targets.add(new Target(m, device));
            }
        }
        long t1 = System.nanoTime();
        admitLookUpAndStore(messages, targets, now);
        long t2 = System.nanoTime();
        List<Target> misses = deliver(messages, targets, now);
        long t3 = System.nanoTime();
        storeMisses(misses, now);
        long t4 = System.nanoTime();
        count(messages, now);
        if (t4 - t0 >= SLOW_ROUND_NANOS) {
            slowRound(messages.size(), targets.size(), misses.size(), t0, t1, t2, t3, t4);
        }
    }

    /**
     * A round that took {@value #SLOW_ROUND_MS} ms or more is logged with the time of each phase, at
     * most once a second (the others are counted in the next line), so that a latency spike can be
     * placed: Redis, the conn-nodes and their devices, or the second round trip for missed copies.
     */
    private void slowRound(int messages, int targets, int misses, long t0, long t1, long t2, long t3, long t4) {
        int held = slowRounds.pass();
        if (held < 0) {
            return;
        }
        log.info("slow round total_ms={} aliases_ms={} redis_ms={} deliver_ms={} misses_ms={} messages={} targets={}"
                        + " misses={} slow_rounds_not_logged={}", ms(t4 - t0), ms(t1 - t0), ms(t2 - t1), ms(t3 - t2),
                ms(t4 - t3), messages, targets, misses, held);
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private void expandAliases(List<Message> messages) throws Exception {
        boolean aliases = false;
        for (Message m : messages) {
            if (m.command.hasDevices()) {
                m.devices = m.command.getDevices().getIdsList();
            }
            aliases |= m.command.hasAliases();
        }
        if (!aliases) {
            return;
        }
        Map<String, CompletableFuture<Set<byte[]>>> lookups = new HashMap<>();
        store.pipelined(() -> {
            for (Message m : messages) {
                if (m.command.hasAliases()) {
                    for (String alias : m.command.getAliases().getNamesList()) {
                        lookups.computeIfAbsent(m.appKey + '\n' + alias, k -> store.aliasMembers(m.appKey, alias));
                    }
                }
            }
        });
        BatchStore.awaitAll(List.copyOf(lookups.values()), limits.redisTimeoutMs());
        for (Message m : messages) {
            if (m.command.hasAliases()) {
                Set<String> devices = new LinkedHashSet<>();
                for (String alias : m.command.getAliases().getNamesList()) {
                    for (byte[] d : lookups.get(m.appKey + '\n' + alias).join()) {
                        devices.add(new String(d, StandardCharsets.UTF_8));
                    }
                }
                m.devices = List.copyOf(devices);
            }
        }
    }

    /**
     * Admission, route lookup and inbox writes in one pipelined round trip: a message is safe (in
     * its inboxes) before it is sent.
     */
    private void admitLookUpAndStore(List<Message> messages, List<Target> targets, long now) throws Exception {
        List<CompletableFuture<byte[]>> admissions = new ArrayList<>(messages.size());
        List<String> routeKeys = new ArrayList<>(targets.size());
        for (Target t : targets) {
            routeKeys.add(RedisKeys.route(t.message.appKey, t.deviceId));
        }
        List<CompletableFuture<List<byte[]>>> routes = new ArrayList<>(1);
        List<Target> stored = new ArrayList<>();
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        List<CompletableFuture<?>> logWrites = new ArrayList<>();
        store.pipelined(() -> {
            for (Message m : messages) {
                admissions.add(m.stores() ? store.storeBody(m.id, m.command.getPush().toByteArray(), bodyTtlMs(m))
                        : store.revocation(m.id));
            }
            routes.add(store.routes(routeKeys));
            for (Target t : targets) {
                Message m = t.message;
                if (m.stores() && !m.awaitAck) {
                    m.inboxWritten = true;
                    stored.add(t);
                    writes.add(m.collapseKey.length == 0
                            ? store.addToInboxPlain(m.appKey, t.deviceId, m.member, limits.inboxMax(), m.ttlMs)
                            : store.addToInbox(m.appKey, t.deviceId, m.member, m.collapseKey, inboxMax,
                                    RoutingStore.ascii(m.ttlMs)));
                }
            }
            for (Message m : messages) {
                if (m.stores() && m.isFanOut()) {
                    byte[] filter = m.command.hasTags() ? m.command.getTags().toByteArray() : new byte[0];
                    logWrites.add(store.appendBroadcast(m.appKey, m.member, filter, logMax, RoutingStore.ascii(m.ttlMs)));
                }
            }
        });
        List<CompletableFuture<?>> all = new ArrayList<>(admissions.size() + writes.size() + logWrites.size() + 1);
        all.addAll(admissions);
        all.addAll(routes);
        all.addAll(writes);
        all.addAll(logWrites);
        BatchStore.awaitAll(all, limits.redisTimeoutMs());
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            byte[] before = admissions.get(i).join();
            m.accepted = before == null || RedisKeys.isBody(before);
            m.firstRouting = before == null;
            metrics.commands.labels(m.accepted ? "routed" : "revoked").inc();
        }
        List<byte[]> values = routes.get(0).join();
        for (int i = 0; i < targets.size(); i++) {
            targets.get(i).route = Route.parse(values.get(i));
        }
        for (int i = 0; i < stored.size(); i++) {
            stored.get(i).superseded = writes.get(i).join() < 0;
        }
    }

    /** Delivers the round; returns the awaitAck copies that were not acknowledged in time. */
    private List<Target> deliver(List<Message> messages, List<Target> targets, long now) {
        List<Target> misses = new ArrayList<>();
        Map<ConnNodeLink, List<Target>> byNode = new LinkedHashMap<>();
        List<Target> unreachable = new ArrayList<>();
        for (Target t : targets) {
            if (!t.message.accepted || t.superseded) {
                continue;
            }
            ConnNodeLink link = t.route == null ? null : links.link(t.route.nodeId());
            if (link == null) {
                unreachable.add(t);
            } else {
                byNode.computeIfAbsent(link, k -> new ArrayList<>()).add(t);
            }
        }
        List<Sent> sent = send(byNode, true);
        List<FanOutSent> fanOuts = new ArrayList<>();
        for (Message m : messages) {
            if (!m.accepted || !m.isFanOut()) {
                continue;
            }
            FanOutRequest.Builder req = FanOutRequest.newBuilder().setAppKey(m.appKey).setPush(m.command.getPush())
                    .setSpreadMs(m.command.getSpreadMs());
            if (m.command.getBroadcast()) {
                req.setBroadcast(true);
            } else {
                req.setFilter(m.command.getTags());
            }
            FanOutRequest request = req.build();
            int spreadMs = m.command.getSpreadMs();
            for (ConnNodeLink link : links.all()) {
                CompletableFuture<FanOutResponse> f = link.fanOut(request, limits.fanOutTimeoutMs() + spreadMs);
                if (spreadMs > 0) {
                    // a conn-node answers a spread fan-out when the spread ends: the batch does not wait for it
                    f.whenComplete((r, e) -> lateFanOut(m.id, link.nodeId(), r, e));
                } else {
                    fanOuts.add(new FanOutSent(m, link.nodeId(), f));
                }
            }
        }
        awaitSettled(sent, fanOuts);
        // outcomes are applied here, on the consumer thread, after everything settled
        for (Sent s : sent) {
            DeliveryResult result = s.resultOrNull();
            if (result == null) {
                for (Target t : s.targets) {
                    missed(t, null, "failed", misses, now);
                }
                continue;
            }
            for (int i = 0; i < s.targets.size(); i++) {
                Target t = s.targets.get(i);
                Outcome o = result.getOutcomes(i);
                if (o == Outcome.ACKED && !t.message.awaitAck) {
                    o = Outcome.WRITTEN; // a copy that was not awaited is in its inbox: its ACK there counts it
                }
                if (o == Outcome.ACKED) {
                    t.message.online++;
                    t.message.acked++;
                    metrics.deliveries.labels("acked").inc();
                } else if (o == Outcome.WRITTEN) {
                    t.message.online++;
                    metrics.deliveries.labels("written").inc();
                    if (t.message.awaitAck) {
                        t.outcome = o;
                        misses.add(t);
                    }
                } else {
                    missed(t, o, outcomeLabel(o), misses, now);
                }
            }
        }
        for (Target t : unreachable) {
            missed(t, null, "offline", misses, now);
        }
        for (FanOutSent f : fanOuts) {
            if (f.result.isDone() && !f.result.isCompletedExceptionally()) {
                FanOutResponse r = f.result.join();
                f.message.matched += r.getMatched();
                f.message.online += r.getWritten();
                metrics.fanOuts.labels("ok").inc();
            } else {
                metrics.fanOuts.labels("failed").inc();
                log.warn("FanOut failed message_id={} node_id={} cause=\"{}\"", Long.toUnsignedString(f.message.id),
                        f.nodeId, cause(f.result));
            }
        }
        return misses;
    }

    /** A copy not reached live: an awaitAck one waits for its inbox write, any other is in its inbox. */
    private void missed(Target t, Outcome o, String label, List<Target> misses, long now) {
        if (t.message.awaitAck) {
            t.outcome = o;
            t.missed = label;
            misses.add(t);
        } else {
            notReached(t, label, now);
        }
    }

    /**
     * How long the body is kept from the admission on. An awaitAck message's body serves an ACKED copy
     * only until a retry after a router crash could come (it marks the message routed), so it gets
     * the shorter retention; {@link #storeMisses} extends it to the TTL when a copy is stored.
     */
    private long bodyTtlMs(Message m) {
        return m.awaitAck ? Math.min(m.ttlMs, limits.ackedBodyRetentionMs()) : m.ttlMs;
    }

    /**
     * Stores the awaitAck copies that were not acknowledged in time, in one pipelined round trip that
     * also reads their devices' routes again (after the inbox writes). A copy that did not reach its
     * device is sent once more, now that it is in the inbox, when the device has a route it did not
     * have before (it connected: its CONNECT may have read the inbox before this write) or when its
     * conn-node refused it as a slow reader (the channel's redrain must find the entry). A copy
     * written but not acknowledged is sent again only if the device connected anew meanwhile. Throws
     * when Redis failed: the batch is then not committed.
     */
    private void storeMisses(List<Target> misses, long now) throws Exception {
        if (misses.isEmpty()) {
            return;
        }
        List<CompletableFuture<?>> replies = new ArrayList<>(misses.size() + 1);
        List<String> routeKeys = new ArrayList<>(misses.size());
        List<CompletableFuture<List<byte[]>>> routes = new ArrayList<>(1);
        store.pipelined(() -> {
            for (Target t : misses) {
                Message m = t.message;
                if (!m.inboxWritten && bodyTtlMs(m) < m.ttlMs) {
                    // the inbox entry needs the body for the whole TTL
                    replies.add(store.extendBody(m.id, m.ttlMs));
                }
                m.inboxWritten = true;
                replies.add(store.addToInboxPlain(m.appKey, t.deviceId, m.member, limits.inboxMax(), m.ttlMs));
                routeKeys.add(RedisKeys.route(m.appKey, t.deviceId));
            }
            routes.add(store.routes(routeKeys));
        });
        replies.add(routes.get(0));
        BatchStore.awaitAll(replies, limits.redisTimeoutMs());
        List<byte[]> values = routes.get(0).join();
        Map<ConnNodeLink, List<Target>> again = new LinkedHashMap<>();
        for (int i = 0; i < misses.size(); i++) {
            Target t = misses.get(i);
            Route current = Route.parse(values.get(i));
            ConnNodeLink link = current == null ? null : links.link(current.nodeId());
            boolean reconnected = current != null && (t.route == null || !current.equals(t.route));
            boolean retry = link != null && (reconnected || t.outcome == Outcome.REJECTED);
            if (retry) {
                t.route = current;
                again.computeIfAbsent(link, k -> new ArrayList<>()).add(t);
            } else if (t.outcome != Outcome.WRITTEN) {
                notReached(t, t.missed, now);
            }
        }
        List<Sent> sent = send(again, false);
        awaitSettled(sent, List.of());
        for (Sent s : sent) {
            DeliveryResult result = s.resultOrNull();
            for (int i = 0; i < s.targets.size(); i++) {
                Target t = s.targets.get(i);
                Outcome o = result == null ? null : result.getOutcomes(i);
                if (t.outcome == Outcome.WRITTEN) {
                    continue; // counted online already
                }
                if (o == Outcome.WRITTEN) {
                    t.message.online++;
                    metrics.deliveries.labels("written").inc();
                } else {
                    notReached(t, t.missed, now);
                }
            }
        }
    }

    /**
     * One DeliveryBatch per conn-node and {@code router.deliver-batch-max} targets, all in flight at
     * once. With {@code awaitAcks}, copies of {@link Message#awaitAck} messages wait for their ACK.
     */
    private List<Sent> send(Map<ConnNodeLink, List<Target>> byNode, boolean awaitAcks) {
        List<Sent> sent = new ArrayList<>();
        for (Map.Entry<ConnNodeLink, List<Target>> e : byNode.entrySet()) {
            List<Target> nodeTargets = e.getValue();
            for (int from = 0; from < nodeTargets.size(); from += limits.deliverBatchMax()) {
                List<Target> chunk = nodeTargets.subList(from, Math.min(nodeTargets.size(), from + limits.deliverBatchMax()));
                List<Delivery> deliveries = new ArrayList<>(chunk.size());
                boolean awaits = false;
                for (Target t : chunk) {
                    boolean await = awaitAcks && t.message.awaitAck;
                    deliveries.add(Delivery.newBuilder().setAppKey(t.message.appKey).setDeviceId(t.deviceId)
                            .setConnectionId(t.route.connectionId()).setPush(t.message.command.getPush())
                            .setAwaitAck(await).build());
                    awaits |= await;
                }
                sent.add(new Sent(chunk, e.getKey().deliver(deliveries, awaits ? limits.ackWaitMs() : 0)));
            }
        }
        return sent;
    }

    /** Counts a spread fan-out's answer when it arrives, after its batch was committed. */
    private void lateFanOut(long messageId, String nodeId, FanOutResponse r, Throwable e) {
        if (e != null) {
            metrics.fanOuts.labels("failed").inc();
            log.warn("FanOut failed message_id={} node_id={} cause=\"{}\"", Long.toUnsignedString(messageId), nodeId,
                    e.getMessage());
            return;
        }
        metrics.fanOuts.labels("ok").inc();
        if (r.getMatched() > 0) {
            store.count(messageId, RedisKeys.STAT_TARGETED, r.getMatched());
        }
        if (r.getWritten() > 0) {
            store.count(messageId, RedisKeys.STAT_ONLINE, r.getWritten());
        }
    }

    private void awaitSettled(List<Sent> sent, List<FanOutSent> fanOuts) {
        List<CompletableFuture<?>> all = new ArrayList<>(sent.size() + fanOuts.size());
        sent.forEach(s -> all.add(s.result.handle((r, e) -> null)));
        fanOuts.forEach(f -> all.add(f.result.handle((r, e) -> null)));
        // FanOuts beyond fanOutMaxInflight per node run in turns, each with its own deadline
        long perNode = links.size() == 0 ? 0 : (fanOuts.size() + links.size() - 1) / links.size();
        long turns = Math.max(1, (perNode + limits.fanOutMaxInflight() - 1) / limits.fanOutMaxInflight());
        long bound = Math.max(limits.deliverTimeoutMs() + limits.ackWaitMs(), limits.fanOutTimeoutMs() * turns) + 1_000;
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(bound, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // each future carries its own timeout; whatever is still open counts as not delivered
            log.warn("deliveries did not settle within {} ms; unsettled ones count as not delivered", bound);
        }
    }

    /** The device was not reached live: the message waits in its inbox if it has a TTL. */
    private void notReached(Target t, String outcome, long now) {
        metrics.deliveries.labels(outcome).inc();
        if (t.message.stores()) {
            t.message.stored++;
            if (receipts != null) {
                receipts.stored(t.message.appKey, t.deviceId, t.message.id, now);
            }
        }
    }

    /**
     * Best effort, not awaited: a lost status update must not make the batch run (and deliver)
     * again, nor may the next batch wait for it. Redis answers a connection's commands in order, so
     * the next batch's round trip completes after these anyway. A revoked message gets none.
     */
    private void count(List<Message> messages, long now) {
        List<CompletableFuture<?>> updates = new ArrayList<>();
        store.pipelined(() -> {
            for (Message m : messages) {
                if (!m.accepted) {
                    continue;
                }
                boolean direct = m.firstRouting && !m.isFanOut();
                // A conn-node counts an ACK itself (HINCRBY) only when it removes an inbox entry. With
                // no copy in an inbox, none exists, so the router's count can be a field of the first
                // HSET; otherwise a late ACK's increment may land first, and an HSET would overwrite it.
                boolean ackedInHset = direct && !m.inboxWritten;
                if (m.acked > 0 && !ackedInHset) {
                    updates.add(store.count(m.id, RedisKeys.STAT_ACKED, m.acked));
                }
                if (direct) {
                    updates.add(store.firstRouted(m.id, now, m.devices.size(), m.online, m.stored,
                            ackedInHset ? m.acked : 0));
                    continue;
                }
                if (m.firstRouting) {
                    updates.add(store.routed(m.id, now));
                } else if (!m.isFanOut()) {
                    updates.add(store.routedAgain(m.id, now, m.devices.size()));
                }
                if (m.online > 0) {
                    updates.add(store.count(m.id, RedisKeys.STAT_ONLINE, m.online));
                }
                if (m.stored > 0) {
                    updates.add(store.count(m.id, RedisKeys.STAT_STORED, m.stored));
                }
                if (m.matched > 0) {
                    updates.add(store.count(m.id, RedisKeys.STAT_TARGETED, m.matched));
                }
            }
        });
        if (updates.isEmpty()) {
            return;
        }
        CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("status not updated for {} messages cause=\"{}\"", messages.size(), e.toString());
            }
        });
    }

    private static String outcomeLabel(Outcome o) {
        return switch (o) {
            case NOT_HERE -> "not_here";
            case STALE_ROUTE -> "stale_route";
            case REJECTED -> "rejected";
            default -> "failed";
        };
    }

    private static String cause(CompletableFuture<?> f) {
        if (!f.isDone()) {
            return "no answer";
        }
        try {
            f.join();
            return "none";
        } catch (RuntimeException e) {
            return String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
    }

    private record Sent(List<Target> targets, CompletableFuture<DeliveryResult> result) {
        /** The conn-node's answer, or null when the batch failed or was not answered in time. */
        DeliveryResult resultOrNull() {
            return result.isDone() && !result.isCompletedExceptionally() ? result.join() : null;
        }
    }

    private record FanOutSent(Message message, String nodeId, CompletableFuture<FanOutResponse> result) {
    }
}
