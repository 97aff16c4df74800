package io.longlink.api.push;

import static io.longlink.common.redis.RedisKeys.STAT_ACCEPTED_MS;
import static io.longlink.common.redis.RedisKeys.STAT_APP;
import static io.longlink.common.redis.RedisKeys.STAT_CREATED_MS;
import static io.longlink.common.redis.RedisKeys.STAT_REVOKED;
import static io.longlink.common.redis.RedisKeys.STAT_REVOKED_MS;
import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.api.auth.Caller;
import io.longlink.api.error.ApiException;
import io.longlink.api.error.Replies;
import io.longlink.api.id.MessageIds;
import io.longlink.api.receipt.ReceiptHub;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RevokeRequest;
import io.longlink.proto.api.RevokeResponse;
import io.longlink.proto.api.StreamReceiptsRequest;
import io.longlink.proto.receipt.Receipt;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push, Revoke, GetMessageStatus and StreamReceipts. A push is answered only after Kafka
 * acknowledged its command; its status hash ({@code ll:stat:{id}}) records the owning app, which
 * Revoke and GetMessageStatus check so that an app never reads or withdraws another app's message.
 */
public final class PushGrpcService extends PushServiceGrpc.PushServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(PushGrpcService.class);

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final CommandPublisher publisher;
    private final MessageIds ids;
    private final ReceiptHub receipts;
    private final LongSupplier clock;
    private final long requestIdTtlMs;
    private final long statusRetentionMs;

    public PushGrpcService(RedisStore redis, CommandPublisher publisher, MessageIds ids, ReceiptHub receipts,
                           LongSupplier clock, long requestIdTtlMs, long statusRetentionMs) {
        this.redis = requireNonNull(redis, "redis").async();
        this.publisher = requireNonNull(publisher, "publisher");
        this.ids = requireNonNull(ids, "ids");
        this.receipts = requireNonNull(receipts, "receipts");
        this.clock = requireNonNull(clock, "clock");
        this.requestIdTtlMs = requestIdTtlMs;
        this.statusRetentionMs = statusRetentionMs;
    }

    @Override
    public void push(PushRequest request, StreamObserver<PushResponse> out) {
        Replies.unary(out, () -> {
            String app = Caller.appKey();
            ValidPush push = PushValidator.validate(request);
            if (push.requestId().isEmpty()) {
                return publish(app, push, ids.next(), false);
            }
            return publishOnce(app, push, 2);
        });
    }

    /**
     * Idempotent push: the first call reserves {@code ll:req:{app:requestId}} with SET NX; a retry
     * finds the reserved id and answers it. If the earlier attempt never got Kafka's
     * acknowledgement (no {@code accepted_ms} yet), the retry publishes the command again under
     * the same id: routers and devices treat the same id as the same message, so a retry can
     * duplicate a delivery attempt but can never lose the push or give it a second id.
     */
    private CompletionStage<PushResponse> publishOnce(String app, ValidPush push, int attempts) {
        String key = RedisKeys.request(app, push.requestId());
        long fresh = ids.next();
        return redis.set(key, utf8(Long.toUnsignedString(fresh)), SetArgs.Builder.nx().px(requestIdTtlMs))
                .thenCompose(reserved -> {
                    if ("OK".equals(reserved)) {
                        return publish(app, push, fresh, false);
                    }
                    return redis.get(key).thenCompose(raw -> {
                        if (raw == null) {
                            if (attempts <= 1) {
                                throw ApiException.unavailable("request_id: reservation raced with its expiry; retry");
                            }
                            return publishOnce(app, push, attempts - 1);
                        }
                        long earlier = Long.parseUnsignedLong(new String(raw, StandardCharsets.UTF_8));
                        return redis.hget(RedisKeys.stat(earlier), STAT_ACCEPTED_MS).thenCompose(accepted -> accepted != null
                                ? CompletableFuture.completedFuture(response(earlier, true))
                                : publish(app, push, earlier, true));
                    });
                });
    }

    private CompletionStage<PushResponse> publish(String app, ValidPush push, long id, boolean duplicate) {
        long now = clock.getAsLong();
        String stat = RedisKeys.stat(id);
        // the owner is recorded while Kafka acknowledges, so Revoke and status work as soon as Push answers
        // (one connection runs them in order, so PEXPIRE follows HSET without waiting between them);
        // a republished duplicate keeps the creation time of its first attempt
        Map<String, byte[]> fields = duplicate ? Map.of(STAT_APP, utf8(app))
                : Map.of(STAT_APP, utf8(app), STAT_CREATED_MS, utf8(Long.toString(now)));
        CompletableFuture<Void> owner = CompletableFuture.allOf(
                redis.hset(stat, fields).toCompletableFuture(),
                redis.pexpire(stat, push.template().getTtlSeconds() * 1000L + statusRetentionMs).toCompletableFuture());
        return publisher.publish(push.recordKey(app), push.command(app, id, now)).thenCompose(meta -> {
            redis.hset(stat, STAT_ACCEPTED_MS, utf8(Long.toString(clock.getAsLong())))
                    .exceptionally(e -> {
                        log.warn("could not record accepted_ms message_id={}: {}", Long.toUnsignedString(id), e.toString());
                        return null;
                    });
            // Kafka has the command: the push is accepted even if the status write failed
            return owner.handle((ok, e) -> {
                if (e != null) {
                    log.warn("could not record message owner message_id={}: {}", Long.toUnsignedString(id), e.toString());
                }
                return response(id, duplicate);
            });
        });
    }

    @Override
    public void revoke(RevokeRequest request, StreamObserver<RevokeResponse> out) {
        Replies.unary(out, () -> {
            String app = Caller.appKey();
            long id = messageId(request.getMessageId());
            String stat = RedisKeys.stat(id);
            return redis.hget(stat, STAT_APP).thenCompose(owner -> {
                checkOwner(app, id, owner);
                // revoked_ms before the delete (same slot, sent in order), so a conn-node that finds the
                // body gone always sees why; `revoked` is counted by conn-nodes, one per copy they skip
                CompletionStage<Boolean> stamped = redis.hsetnx(stat, STAT_REVOKED_MS,
                        utf8(Long.toString(clock.getAsLong())));
                CompletionStage<Long> removed = redis.del(RedisKeys.message(id));
                return removed.thenCombine(stamped, (n, x) -> RevokeResponse.newBuilder().setBodyRemoved(n == 1)
                        .build());
            });
        });
    }

    @Override
    public void getMessageStatus(GetMessageStatusRequest request, StreamObserver<MessageStatus> out) {
        Replies.unary(out, () -> {
            String app = Caller.appKey();
            long id = messageId(request.getMessageId());
            return redis.hgetall(RedisKeys.stat(id)).thenApply(fields -> {
                byte[] owner = fields.get(STAT_APP);
                checkOwner(app, id, owner);
                return MessageStatus.newBuilder()
                        .setMessageId(id)
                        .setTargeted(number(fields, RedisKeys.STAT_TARGETED))
                        .setOnline(number(fields, RedisKeys.STAT_ONLINE))
                        .setStored(number(fields, RedisKeys.STAT_STORED))
                        .setAcked(number(fields, RedisKeys.STAT_ACKED))
                        .setExpired(number(fields, RedisKeys.STAT_EXPIRED))
                        .setRevoked(number(fields, STAT_REVOKED))
                        .setCreatedAtMs(number(fields, STAT_CREATED_MS))
                        .setAcceptedAtMs(number(fields, STAT_ACCEPTED_MS))
                        .setRoutedAtMs(number(fields, RedisKeys.STAT_ROUTED_MS))
                        .setRevokedAtMs(number(fields, STAT_REVOKED_MS))
                        .build();
            });
        });
    }

    @Override
    public void streamReceipts(StreamReceiptsRequest request, StreamObserver<Receipt> out) {
        try {
            receipts.subscribe(Caller.appKey(), request.getKindsList(), (ServerCallStreamObserver<Receipt>) out);
        } catch (RuntimeException e) {
            out.onError(io.longlink.api.error.StatusMapper.toException(e));
        }
    }

    private static long messageId(long id) {
        if (id == 0) {
            throw ApiException.invalid("message_id", "0", "a message id answered by Push");
        }
        return id;
    }

    private static void checkOwner(String app, long id, byte[] owner) {
        if (owner == null) {
            throw ApiException.notFound("message_id: " + Long.toUnsignedString(id)
                    + " (expected: a message of this app whose status is still retained)");
        }
        if (!app.equals(new String(owner, StandardCharsets.UTF_8))) {
            throw ApiException.permissionDenied("message_id: " + Long.toUnsignedString(id) + " belongs to another app");
        }
    }

    private static long number(Map<String, byte[]> fields, String name) {
        byte[] v = fields.get(name);
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(new String(v, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static PushResponse response(long id, boolean duplicate) {
        return PushResponse.newBuilder().setMessageId(id).setDuplicate(duplicate).build();
    }


    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
