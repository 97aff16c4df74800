package io.longlink.api.push;

import static io.longlink.common.redis.RedisKeys.STAT_ACCEPTED_MS;
import static java.util.Objects.requireNonNull;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.LuaScript;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Request-id reservations, {@code ll:req:{app:requestId}} (kept for {@code api.request-id-ttl-seconds}):
 * the message id of the push that first named the request id, so that a retry answers that id.
 *
 * <p>Of concurrent calls with one request id, only the one whose {@code SET NX} reserved it
 * produces. Another that finds the reservation answers its id once the push's status shows
 * {@code accepted_ms} (Kafka acknowledged it); until then it checks again with a short backoff, on a
 * timer (no thread waits), up to its deadline. A reservation whose holder can no longer get its push
 * accepted is taken over, and the taker produces the push under the reserved id: the holder's
 * produce failed (it marked the reservation free, {@link #release}), or no acceptance came within
 * the takeover age (its api-node died between the reservation and Kafka's answer). A push therefore
 * never gets two ids, even when Kafka took an attempt whose answer was lost (devices drop the
 * second copy by id).
 *
 * <p>The takeover age is read from the reservation's remaining TTL, against this node's
 * {@code api.request-id-ttl-seconds}: keep that setting the same on every api-node.
 */
public final class RequestIdReservations implements AutoCloseable {
    private static final LuaScript TAKE = LuaScript.resource(RequestIdReservations.class, "request_take.lua");
    private static final LuaScript RELEASE = LuaScript.resource(RequestIdReservations.class, "request_release.lua");
    private static final String FREE = ":free";
    private static final long FIRST_BACKOFF_MS = 10;
    private static final long MAX_BACKOFF_MS = 200;

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final long ttlMs;
    private final long takeoverAfterMs;
    private final byte[] ttlArg;
    private final byte[] takeoverArg;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "api-request-id-recheck");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param ttlMs           how long a reservation answers retries
     * @param takeoverAfterMs a reservation this old whose push is not accepted has lost its holder:
     *                        longer than any holder takes from its reservation to Kafka's answer
     */
    public RequestIdReservations(RedisStore redis, long ttlMs, long takeoverAfterMs) {
        this.redis = requireNonNull(redis, "redis").async();
        this.ttlMs = ttlMs;
        this.takeoverAfterMs = takeoverAfterMs;
        this.ttlArg = utf8(Long.toString(ttlMs));
        this.takeoverArg = utf8(Long.toString(takeoverAfterMs));
    }

    /**
     * Reserves {@code requestId} for {@code candidate}, or finds the push that holds it and answers
     * its id once accepted, or takes it over. Fails with UNAVAILABLE when the holder's push is still
     * unaccepted at {@code deadlineNanos} ({@link System#nanoTime} based).
     */
    CompletionStage<Reservation> reserve(String app, String requestId, long candidate, long deadlineNanos) {
        Attempt a = new Attempt(RedisKeys.request(app, requestId), candidate, deadlineNanos);
        a.reserve();
        return a.result;
    }

    /**
     * The holder of {@code messageId}'s reservation could not get it accepted: frees the reservation
     * (compare value, keep the id), so that the next caller with the request id takes it over at once.
     */
    CompletionStage<Boolean> release(String app, String requestId, long messageId) {
        CompletionStage<Long> freed = RELEASE.run(redis, ScriptOutputType.INTEGER,
                new String[] {RedisKeys.request(app, requestId)}, utf8(Long.toUnsignedString(messageId)));
        return freed.thenApply(n -> n == 1);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The id in a reservation's value: {@code <id>}, or {@code <id>:free} once its holder released it. */
    private static String stripFree(String value) {
        return value.endsWith(FREE) ? value.substring(0, value.length() - FREE.length()) : value;
    }

    /** One caller's way to a reservation. Its steps run one after the other, on whichever thread answered. */
    private final class Attempt {
        private final String key;
        private final long candidate;
        private final long deadlineNanos;
        private final CompletableFuture<Reservation> result = new CompletableFuture<>();
        private long backoffMs = FIRST_BACKOFF_MS;

        Attempt(String key, long candidate, long deadlineNanos) {
            this.key = key;
            this.candidate = candidate;
            this.deadlineNanos = deadlineNanos;
        }

        /** SET NX GET: reserved for the candidate, or the value that holds the request id. */
        void reserve() {
            redis.setGet(key, utf8(Long.toUnsignedString(candidate)), SetArgs.Builder.nx().px(ttlMs))
                    .thenAccept(held -> {
                        if (held == null) {
                            result.complete(new Reservation(candidate, Reservation.Holder.NONE));
                        } else {
                            check(Long.parseUnsignedLong(stripFree(new String(held, StandardCharsets.UTF_8))));
                        }
                    }).whenComplete((x, error) -> {
                        if (error != null) {
                            freeIfMine();
                            result.completeExceptionally(error);
                        }
                    });
        }

        /**
         * The SET's answer was lost (a timeout while Redis stalled): it may still run later and hold
         * the request id for a push this call never produces. Frees it right behind the SET, on the
         * same connection, so a retry takes it over at once rather than after the takeover age. EVAL
         * with the text: an EVALSHA's NOSCRIPT would come back after this call stopped listening.
         */
        private void freeIfMine() {
            try {
                RELEASE.eval(redis, ScriptOutputType.INTEGER, new String[] {key},
                        utf8(Long.toUnsignedString(candidate)));
            } catch (RuntimeException ignored) {
                // not even queued: the SET was not sent either, or the takeover age frees it
            }
        }

        /** Accepted: answer its id. Else take it over if its holder lost it, or look again later. */
        void check(long held) {
            redis.hget(RedisKeys.stat(held), STAT_ACCEPTED_MS).thenCompose(accepted -> {
                if (accepted != null) {
                    result.complete(new Reservation(held, Reservation.Holder.ACCEPTED));
                    return CompletableFuture.<Void>completedFuture(null);
                }
                return TAKE.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {key},
                        utf8(Long.toUnsignedString(held)), ttlArg, takeoverArg).thenAccept(taken -> {
                            if (taken == 1) {
                                result.complete(new Reservation(held, Reservation.Holder.TAKEN_OVER));
                            } else if (taken == 0) {
                                later(() -> check(held));
                            } else {
                                reserve(); // expired or replaced meanwhile: start over
                            }
                        });
            }).whenComplete((x, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                }
            });
        }

        private void later(Runnable step) {
            long delay = backoffMs;
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) - deadlineNanos > 0) {
                result.completeExceptionally(Refusal.unavailable("request_id: an earlier push with this request_id"
                        + " is still being accepted; retry with the same request_id"));
                return;
            }
            try {
                timer.schedule(step, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                result.completeExceptionally(stopping);
            }
        }
    }

    /**
     * A request id's message.
     *
     * @param messageId the id reserved now ({@link Holder#NONE}) or by the earlier push
     */
    record Reservation(long messageId, Holder holder) {
        /** What this caller does with the push. */
        enum Holder {
            /** Reserved now for the caller's id: produce it. */
            NONE,
            /** The earlier push's holder lost it before Kafka accepted it: produce it again under its id. */
            TAKEN_OVER,
            /** Kafka accepted the earlier push: answer its id, produce nothing. */
            ACCEPTED
        }
    }
}
