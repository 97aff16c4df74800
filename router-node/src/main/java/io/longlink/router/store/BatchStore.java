package io.longlink.router.store;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Redis commands routing a batch issues, each answering with a future: callers issue many inside
 * {@link #pipelined} (one network write), then wait for them together with {@link #awaitAll}.
 * {@link RoutingStore} says what each one sends.
 */
public interface BatchStore {
    /** Runs {@code issue} so that every command it issues goes out in one write. */
    void pipelined(Runnable issue);

    CompletableFuture<Set<byte[]>> aliasMembers(String appKey, String alias);

    /** Route values for {@code routeKeys}, in order, null where the device has no route. */
    CompletableFuture<List<byte[]>> routes(List<String> routeKeys);

    /** Stores the body unless the key exists; completes with what it held before (null, a body or the tombstone). */
    CompletableFuture<byte[]> storeBody(long messageId, byte[] body, long ttlMs);

    CompletableFuture<Boolean> extendBody(long messageId, long ttlMs);

    /** An online-only message's admission: the tombstone if it was revoked, else null. */
    CompletableFuture<byte[]> revocation(long messageId);

    CompletableFuture<Long> addToInboxPlain(String appKey, String deviceId, byte[] member, long inboxMax, long ttlMs);

    /** Through the inbox script: 1 = stored, -1 = a newer message with the same collapse key is stored. */
    CompletableFuture<Long> addToInbox(String appKey, String deviceId, byte[] member, byte[] collapseKey,
                                       byte[] inboxMax, byte[] ttlMs);

    CompletableFuture<Long> appendBroadcast(String appKey, byte[] member, byte[] filter, byte[] logMax, byte[] ttlMs);

    CompletableFuture<Long> firstRouted(long messageId, long nowMs, long targeted, long online, long stored,
                                        long acked);

    CompletableFuture<Boolean> routedAgain(long messageId, long nowMs, long targeted);

    CompletableFuture<Boolean> routed(long messageId, long nowMs);

    CompletableFuture<Long> count(long messageId, String field, long n);

    /** Waits for every future; the first failure is rethrown. */
    static void awaitAll(List<? extends CompletableFuture<?>> futures, long timeoutMs) throws Exception {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new CompletionException(e.getCause());
        }
    }
}
