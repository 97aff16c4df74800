package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.Route;
import io.longlink.proto.internal.Outcome;
import io.longlink.router.deliver.DeliveryLink;
import io.longlink.router.deliver.DeliveryLinks;
import io.longlink.router.store.BatchStore;
import io.longlink.router.store.BatchStore.InboxAdd;
import io.longlink.router.store.RoutingStore;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Stores the awaited copies that were not acknowledged in time: first their messages' bodies, for
 * the whole TTL (an awaited message is admitted without one: a copy acknowledged in time never needs
 * it), then, once Redis has them, in one more pipelined round trip each copy's inbox write and its
 * device's route read again after the write. The bodies go first because an inbox entry whose body a
 * conn-node does not find is dropped (as expired or revoked), and in Redis Cluster the body and the
 * inbox live on different nodes, so one pipeline would not order them.
 * A copy that did not reach its device is sent once more, now that it is in the inbox, when the
 * device has a route it did not have before (it connected: its CONNECT may have read the inbox before
 * this write) or when its conn-node refused it as a slow reader (the channel's redrain must find the
 * entry). A copy written but not acknowledged is sent again only if the device connected anew meanwhile.
 */
final class MissStore {
    /** Awaited copies have none: a message with a collapse key is stored before delivery. */
    private static final byte[] NO_COLLAPSE_KEY = new byte[0];

    private final BatchStore store;
    private final DeliveryLinks links;
    private final DeliveryBatches batches;
    private final byte[] inboxMaxArg;
    private final long redisTimeoutMs;

    MissStore(BatchStore store, DeliveryLinks links, DeliveryBatches batches, BatchRouter.Limits limits) {
        this.store = requireNonNull(store, "store");
        this.links = requireNonNull(links, "links");
        this.batches = requireNonNull(batches, "batches");
        this.inboxMaxArg = RoutingStore.ascii(limits.inboxMax());
        this.redisTimeoutMs = limits.redisTimeoutMs();
    }

    /**
     * The misses stored.
     *
     * @param settled the final outcome of each miss not counted yet (all but the WRITTEN ones): WRITTEN
     *     when sent again and written, else its first outcome
     * @param drops   what the inbox writes trimmed
     * @param failed  the copies sent again whose DeliveryBatch failed (with the route they were sent to)
     */
    record Stored(List<CopyResult> settled, List<Dropped> drops, List<CopyResult> failed) {
        static final Stored NOTHING = new Stored(List.of(), List.of(), List.of());
    }

    /** Throws when Redis failed: the batch is then not committed. */
    Stored store(List<CopyResult> misses) throws Exception {
        if (misses.isEmpty()) {
            return Stored.NOTHING;
        }
        List<Dropped> drops = new ArrayList<>(0);
        List<byte[]> routes = storeAndReadRoutes(misses, drops);
        List<CopyResult> settled = new ArrayList<>(misses.size());
        Map<DeliveryLink, List<CopyResult>> again = new LinkedHashMap<>();
        for (int i = 0; i < misses.size(); i++) {
            CopyResult miss = misses.get(i);
            Route current = Route.parse(routes.get(i));
            DeliveryLink link = current == null ? null : links.link(current.nodeId());
            boolean reconnected = current != null && !current.equals(miss.copy().route());
            if (link != null && (reconnected || miss.outcome() == CopyOutcome.REJECTED)) {
                again.computeIfAbsent(link, k -> new ArrayList<>())
                        .add(new CopyResult(miss.copy().withRoute(current), miss.outcome()));
            } else if (miss.outcome() != CopyOutcome.WRITTEN) {
                settled.add(miss);
            }
        }
        List<DeliveryBatches.Sent<CopyResult>> sent = batches.send(again, CopyResult::copy, false);
        batches.awaitSettled(sent, List.of(), 0);
        List<CopyResult> failed = new ArrayList<>(0);
        DeliveryBatches.outcomes(sent, (miss, o) -> {
            if (o == null) {
                failed.add(new CopyResult(miss.copy(), CopyOutcome.FAILED));
            }
            if (miss.outcome() == CopyOutcome.WRITTEN) {
                return; // counted online already
            }
            settled.add(o == Outcome.WRITTEN ? new CopyResult(miss.copy(), CopyOutcome.WRITTEN) : miss);
        });
        return new Stored(settled, drops, failed);
    }

    /**
     * The bodies, then the inbox writes and the routes of the misses' devices in one round trip; adds
     * what the inbox writes trimmed to {@code drops}. A body already there (the tombstone of a Revoke,
     * or the body of an earlier routing) is left as it is.
     */
    private List<byte[]> storeAndReadRoutes(List<CopyResult> misses, List<Dropped> drops) throws Exception {
        List<CompletableFuture<?>> bodies = new ArrayList<>();
        BitSet stored = new BitSet();
        store.pipelined(() -> {
            for (CopyResult miss : misses) {
                Message m = miss.copy().message();
                if (!stored.get(m.index)) {
                    stored.set(m.index);
                    bodies.add(store.storeBody(m.id, m.command.getPush().toByteArray(), m.ttlMs));
                }
            }
        });
        BatchStore.awaitAll(bodies, redisTimeoutMs);
        List<CompletableFuture<?>> replies = new ArrayList<>(misses.size() + 1);
        List<CompletableFuture<InboxAdd>> inboxWrites = new ArrayList<>(misses.size());
        List<String> routeKeys = new ArrayList<>(misses.size());
        List<CompletableFuture<List<byte[]>>> routes = new ArrayList<>(1);
        store.pipelined(() -> {
            for (CopyResult miss : misses) {
                Message m = miss.copy().message();
                String device = miss.copy().deviceId();
                inboxWrites.add(store.addToInbox(m.appKey, device, m.member, inboxMaxArg, RoutingStore.ascii(m.ttlMs),
                        NO_COLLAPSE_KEY));
                routeKeys.add(RedisKeys.route(m.appKey, device));
            }
            routes.add(store.routes(routeKeys));
        });
        replies.addAll(inboxWrites);
        replies.add(routes.get(0));
        BatchStore.awaitAll(replies, redisTimeoutMs);
        for (int i = 0; i < misses.size(); i++) {
            Copy c = misses.get(i).copy();
            for (long id : inboxWrites.get(i).join().trimmed()) {
                drops.add(new Dropped(c.message().appKey, c.deviceId(), id));
            }
        }
        return routes.get(0).join();
    }
}
