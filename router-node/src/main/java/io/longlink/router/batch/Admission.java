package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.Route;
import io.longlink.router.store.BatchStore;
import io.longlink.router.store.BatchStore.InboxAdd;
import io.longlink.router.store.BatchStore.LogAppend;
import io.longlink.router.store.RoutingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Everything that must be safe before delivery, in one pipelined round trip: per message its
 * admission ({@code SET ll:msg:{id} <body> NX GET PX <ttl>}: stores the body once and answers whether
 * Revoke left its tombstone there; a GET for an online-only message, and for a unicast awaiting its
 * ACK, whose body {@link MissStore} stores only if a copy is not acknowledged), MGETs of every device's route,
 * the inbox writes of copies stored before delivery (the {@code inbox_add} script: position, collapse,
 * trim), and per tag/broadcast message with a TTL the app's broadcast log (its position goes into
 * the FanOut). What the bounds trimmed is returned, to be counted with the status.
 *
 * <p>The inbox writes go out with the admission rather than after it: a message revoked before it
 * was routed therefore may get inbox entries, but its body is the tombstone Revoke left (the admission
 * writes nothing over it), so a conn-node draining such an entry drops it and counts it revoked.
 */
final class Admission {
    private final BatchStore store;
    private final RouterMetrics metrics;
    private final byte[] inboxMaxArg;
    private final byte[] logMaxArg;
    private final long redisTimeoutMs;

    Admission(BatchStore store, RouterMetrics metrics, BatchRouter.Limits limits) {
        this.store = requireNonNull(store, "store");
        this.metrics = requireNonNull(metrics, "metrics");
        this.inboxMaxArg = RoutingStore.ascii(limits.inboxMax());
        this.logMaxArg = RoutingStore.ascii(limits.broadcastLogMax());
        this.redisTimeoutMs = limits.redisTimeoutMs();
    }

    /** Throws when Redis failed: nothing of the round may then be committed. */
    Admitted admit(List<Message> messages) throws Exception {
        List<String> routeKeys = new ArrayList<>();
        for (Message m : messages) {
            for (String device : m.devices) {
                routeKeys.add(RedisKeys.route(m.appKey, device));
            }
        }
        List<CompletableFuture<byte[]>> admissions = new ArrayList<>(messages.size());
        List<CompletableFuture<List<byte[]>>> routes = new ArrayList<>(1);
        List<CompletableFuture<InboxAdd>> inboxWrites = new ArrayList<>();
        List<CompletableFuture<LogAppend>> logWrites = new ArrayList<>();
        store.pipelined(() -> {
            for (Message m : messages) {
                admissions.add(m.storedBeforeDelivery() ? store.storeBody(m.id, m.command.getPush().toByteArray(), m.ttlMs)
                        : store.revocation(m.id));
            }
            routes.add(store.routes(routeKeys));
            for (Message m : messages) {
                if (m.storedBeforeDelivery()) {
                    for (String device : m.devices) {
                        inboxWrites.add(store.addToInbox(m.appKey, device, m.member, inboxMaxArg,
                                RoutingStore.ascii(m.ttlMs), m.collapseKey));
                    }
                }
            }
            for (Message m : messages) {
                if (m.logged()) {
                    byte[] filter = m.command.hasTags() ? m.command.getTags().toByteArray() : new byte[0];
                    logWrites.add(store.appendBroadcast(m.appKey, m.member, filter, logMaxArg,
                            RoutingStore.ascii(m.ttlMs)));
                }
            }
        });
        List<CompletableFuture<?>> all = new ArrayList<>(admissions.size() + inboxWrites.size() + logWrites.size() + 1);
        all.addAll(admissions);
        all.addAll(routes);
        all.addAll(inboxWrites);
        all.addAll(logWrites);
        BatchStore.awaitAll(all, redisTimeoutMs);
        List<Verdict> verdicts = new ArrayList<>(messages.size());
        for (CompletableFuture<byte[]> a : admissions) {
            Verdict v = Verdict.of(a.join());
            verdicts.add(v);
            metrics.commands.labels(v.accepted() ? "routed" : "revoked").inc();
        }
        List<Dropped> drops = new ArrayList<>(0);
        inboxTrims(messages, inboxWrites, drops);
        long[] logPositions = logPositions(messages, logWrites, drops);
        return new Admitted(messages, verdicts, copies(messages, verdicts, routes.get(0).join()), logPositions,
                drops);
    }

    /** The copies of accepted messages, with the routes read. */
    private static List<Copy> copies(List<Message> messages, List<Verdict> verdicts, List<byte[]> routes) {
        List<Copy> copies = new ArrayList<>(routes.size());
        int route = 0;
        for (Message m : messages) {
            boolean accepted = verdicts.get(m.index).accepted();
            for (String device : m.devices) {
                byte[] value = routes.get(route++);
                if (accepted) {
                    copies.add(new Copy(m, device, Route.parse(value)));
                }
            }
        }
        return copies;
    }

    /** Adds what the inbox writes (in the order they were issued) trimmed to {@code drops}. */
    private static void inboxTrims(List<Message> messages, List<CompletableFuture<InboxAdd>> inboxWrites,
                                   List<Dropped> drops) {
        if (inboxWrites.isEmpty()) {
            return;
        }
        int write = 0;
        for (Message m : messages) {
            if (m.storedBeforeDelivery()) {
                for (String device : m.devices) {
                    for (long id : inboxWrites.get(write++).join().trimmed()) {
                        drops.add(new Dropped(m.appKey, device, id));
                    }
                }
            }
        }
    }

    /** Each message's log position (0 without an entry); adds what the appends trimmed to {@code drops}. */
    private static long[] logPositions(List<Message> messages, List<CompletableFuture<LogAppend>> logWrites,
                                       List<Dropped> drops) {
        long[] positions = new long[messages.size()];
        int write = 0;
        for (Message m : messages) {
            if (m.logged()) {
                LogAppend appended = logWrites.get(write++).join();
                positions[m.index] = appended.position();
                for (long id : appended.trimmed()) {
                    drops.add(new Dropped(m.appKey, "", id));
                }
            }
        }
        return positions;
    }
}
