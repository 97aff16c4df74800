package io.longlink.api.push;

import static io.longlink.common.redis.RedisKeys.STAT_ACCEPTED_MS;
import static io.longlink.common.redis.RedisKeys.STAT_APP;
import static io.longlink.common.redis.RedisKeys.STAT_CREATED_MS;
import static io.longlink.common.redis.RedisKeys.STAT_REVOKED;
import static io.longlink.common.redis.RedisKeys.STAT_REVOKED_MS;
import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.longlink.api.auth.Caller;
import io.longlink.api.receipt.ReceiptHub;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.common.redis.LuaScript;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.RedisStore;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import io.longlink.proto.api.PushBatchRequest;
import io.longlink.proto.api.PushBatchResponse;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RevokeRequest;
import io.longlink.proto.api.RevokeResponse;
import io.longlink.proto.api.StreamReceiptsRequest;
import io.longlink.proto.receipt.Receipt;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Push, PushBatch, Revoke, GetMessageStatus and StreamReceipts. A push is answered only after Kafka
 * acknowledged its command ({@link PushAcceptor}); its status hash ({@code ll:stat:{id}}) records the
 * owning app, which Revoke and GetMessageStatus check so that an app never reads or withdraws another
 * app's message.
 */
public final class PushGrpcService extends PushServiceGrpc.PushServiceImplBase {
    private static final LuaScript REVOKE = LuaScript.resource(PushGrpcService.class, "revoke.lua");

    private final RedisClusterAsyncCommands<String, byte[]> redis;
    private final PushAcceptor acceptor;
    private final ReceiptHub receipts;
    private final LongSupplier clock;
    private final GrpcErrors errors;

    public PushGrpcService(RedisStore redis, PushAcceptor acceptor, ReceiptHub receipts, LongSupplier clock,
                           GrpcErrors errors) {
        this.redis = requireNonNull(redis, "redis").async();
        this.acceptor = requireNonNull(acceptor, "acceptor");
        this.receipts = requireNonNull(receipts, "receipts");
        this.clock = requireNonNull(clock, "clock");
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public void push(PushRequest request, StreamObserver<PushResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            ValidPush push = PushValidator.validate(request);
            PushAcceptor.Run run = acceptor.unary(app);
            run.add(push);
            return run.start().thenApply(PushAcceptor.Run::response);
        });
    }

    /**
     * Each entry is validated and accepted as {@link #push} would; one refused entry leaves the others
     * alone. Only an entry count out of range refuses the whole call.
     */
    @Override
    public void pushBatch(PushBatchRequest request, StreamObserver<PushBatchResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            int n = request.getPushesCount();
            if (n < 1 || n > PushLimits.MAX_BATCH_PUSHES) {
                throw Refusal.invalid("pushes", n + " entries", "1 to " + PushLimits.MAX_BATCH_PUSHES);
            }
            PushAcceptor.Run run = acceptor.batch(app, n);
            for (int i = 0; i < n; i++) {
                ValidPush push;
                try {
                    push = PushValidator.validate(request.getPushes(i));
                } catch (Refusal e) {
                    run.refuse(e);
                    continue;
                }
                run.add(push);
            }
            return run.start().thenApply(PushAcceptor.Run::batchResponse);
        });
    }

    @Override
    public void revoke(RevokeRequest request, StreamObserver<RevokeResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            long id = messageId(request.getMessageId());
            String stat = RedisKeys.stat(id);
            return redis.hget(stat, STAT_APP).thenCompose(owner -> {
                checkOwner(app, id, owner);
                // one script: revoked_ms, then the body replaced by the tombstone; `revoked` is counted
                // by conn-nodes, one per copy they skip
                CompletionStage<Long> removed = REVOKE.run(redis, ScriptOutputType.INTEGER,
                        new String[] {RedisKeys.message(id), stat}, utf8(Long.toString(clock.getAsLong())),
                        utf8(Long.toString(PushLimits.MAX_TTL_SECONDS * 1000L)));
                return removed.thenApply(n -> RevokeResponse.newBuilder().setBodyRemoved(n == 1).build());
            });
        });
    }

    @Override
    public void getMessageStatus(GetMessageStatusRequest request, StreamObserver<MessageStatus> out) {
        errors.unary(out, () -> {
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
            out.onError(errors.exception(e));
        }
    }

    private static long messageId(long id) {
        if (id == 0) {
            throw Refusal.invalid("message_id", "0", "a message id answered by Push");
        }
        return id;
    }

    private static void checkOwner(String app, long id, byte[] owner) {
        if (owner == null) {
            throw Refusal.notFound("message_id: " + Long.toUnsignedString(id)
                    + " (expected: a message of this app whose status is still retained)");
        }
        if (!app.equals(new String(owner, StandardCharsets.UTF_8))) {
            throw Refusal.permissionDenied("message_id: " + Long.toUnsignedString(id) + " belongs to another app");
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
