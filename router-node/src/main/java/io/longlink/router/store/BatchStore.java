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

    /** The admission of a message whose body is not stored now: what its body key holds (null, a body or the tombstone). */
    CompletableFuture<byte[]> revocation(long messageId);

    /** Adds a message to a device's inbox at its next position; {@code collapseKey} empty = none. */
    CompletableFuture<InboxAdd> addToInbox(String appKey, String deviceId, byte[] member, byte[] inboxMax,
                                           byte[] ttlMs, byte[] collapseKey);

    /** Appends a tag or broadcast message to its app's broadcast log at the next position. */
    CompletableFuture<LogAppend> appendBroadcast(String appKey, byte[] member, byte[] filter, byte[] logMax,
                                                 byte[] ttlMs);

    /**
     * Counts an inbox copy the inbox bound removed ({@code dropped}) on its message's status; completes
     * with false, counting nothing, when its body is gone (expired or revoked: not lost to the bound).
     */
    CompletableFuture<Boolean> countInboxDrop(long messageId);

    /** As {@link #countInboxDrop} for a broadcast-log entry the log bound removed: {@code log_trimmed_ms}. */
    CompletableFuture<Boolean> countLogTrim(long messageId, long nowMs);

    CompletableFuture<Long> firstRouted(long messageId, long nowMs, long targeted, long online, long stored,
                                        long acked);

    /**
     * A message routed again: nothing, unless its first routing's status never got written; then
     * {@code routed_ms} and this routing's counts (those not 0). Completes with whether it wrote them.
     */
    CompletableFuture<Boolean> routedAgain(long messageId, long nowMs, long targeted, long online, long stored);

    CompletableFuture<Boolean> routed(long messageId, long nowMs);

    CompletableFuture<Long> count(long messageId, String field, long n);

    /**
     * What an inbox add did.
     *
     * @param added    false when the message was there already (a re-routing): nothing changed
     * @param replaced the message the collapse key replaced, 0 for none
     * @param trimmed  the messages the inbox bound removed, earliest first
     */
    record InboxAdd(boolean added, long replaced, List<Long> trimmed) {
    }

    /**
     * What a broadcast-log append did.
     *
     * @param position the message's log position (its own from an earlier append when routed again)
     * @param trimmed  the messages the log bound removed, earliest first
     */
    record LogAppend(long position, List<Long> trimmed) {
    }

    /** Waits for every future; the first failure is rethrown. */
    static void awaitAll(List<? extends CompletableFuture<?>> futures, long timeoutMs) throws Exception {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new CompletionException(e.getCause());
        }
    }
}
