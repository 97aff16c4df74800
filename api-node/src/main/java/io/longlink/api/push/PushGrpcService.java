package io.longlink.api.push;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.longlink.api.auth.Caller;
import io.longlink.api.quota.FanOutAdmission;
import io.longlink.api.quota.PushQuotas;
import io.longlink.api.receipt.ReceiptHub;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
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
import io.longlink.proto.receipt.ReceiptKind;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Push, PushBatch, Revoke, GetMessageStatus and StreamReceipts. A push is answered only after Kafka
 * acknowledged its command ({@link PushAcceptor}); its status hash ({@code ll:stat:{id}}) records the
 * owning app, which Revoke and GetMessageStatus check so that an app never reads or withdraws another
 * app's message.
 */
public final class PushGrpcService extends PushServiceGrpc.PushServiceImplBase {
    /** "ACKED, STORED, EXPIRED, REVOKED or DROPPED": the kinds a StreamReceipts call may ask for. */
    private static final String EMITTED_KINDS = emittedKinds();

    private final MessageStore messages;
    private final PushAcceptor acceptor;
    private final PushQuotas quotas;
    private final FanOutAdmission fanOuts;
    private final ReceiptHub receipts;
    private final LongSupplier clock;
    private final GrpcErrors errors;

    public PushGrpcService(MessageStore messages, PushAcceptor acceptor, PushQuotas quotas, FanOutAdmission fanOuts,
                           ReceiptHub receipts, LongSupplier clock, GrpcErrors errors) {
        this.messages = requireNonNull(messages, "messages");
        this.acceptor = requireNonNull(acceptor, "acceptor");
        this.quotas = requireNonNull(quotas, "quotas");
        this.fanOuts = requireNonNull(fanOuts, "fanOuts");
        this.receipts = requireNonNull(receipts, "receipts");
        this.clock = requireNonNull(clock, "clock");
        this.errors = requireNonNull(errors, "errors");
    }

    /**
     * Checked, then held to the app's quotas ({@link PushQuotas}) and, a tag or broadcast push, to the
     * routers' lag ({@link FanOutAdmission}): a push over one is refused before anything is produced.
     */
    @Override
    public void push(PushRequest request, StreamObserver<PushResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            ValidPush push = PushValidator.validate(request);
            admit(quotas.call(app, Caller.quota()), push);
            PushAcceptor.Run run = acceptor.unary(app);
            run.add(push);
            return run.start().thenApply(PushAcceptor.Run::response);
        });
    }

    /**
     * Each entry is validated, held to the quotas and accepted as {@link #push} would; one refused
     * entry leaves the others alone. The entries are judged against the rate quotas together, in
     * entry order: those over the rate are the last ones. Only an entry count out of range refuses
     * the whole call.
     */
    @Override
    public void pushBatch(PushBatchRequest request, StreamObserver<PushBatchResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            int n = request.getPushesCount();
            if (n < 1 || n > PushLimits.MAX_BATCH_PUSHES) {
                throw Refusal.invalid("pushes", n + " entries", "1 to " + PushLimits.MAX_BATCH_PUSHES);
            }
            PushQuotas.Call quota = quotas.call(app, Caller.quota());
            PushAcceptor.Run run = acceptor.batch(app, n);
            for (int i = 0; i < n; i++) {
                ValidPush push;
                try {
                    push = PushValidator.validate(request.getPushes(i));
                    admit(quota, push);
                } catch (Refusal e) {
                    run.refuse(e);
                    continue;
                }
                run.add(push);
            }
            return run.start().thenApply(PushAcceptor.Run::batchResponse);
        });
    }

    /**
     * Checks the owner, then revokes: {@code revoked_ms}, then the body replaced by the tombstone;
     * {@code revoked} is counted by conn-nodes, one per copy they skip.
     */
    @Override
    public void revoke(RevokeRequest request, StreamObserver<RevokeResponse> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            long id = messageId(request.getMessageId());
            return messages.owner(id).thenCompose(owner -> {
                checkOwner(app, id, owner);
                return messages.revoke(id, clock.getAsLong());
            }).thenApply(removed -> RevokeResponse.newBuilder().setBodyRemoved(removed).build());
        });
    }

    @Override
    public void getMessageStatus(GetMessageStatusRequest request, StreamObserver<MessageStatus> out) {
        errors.unary(out, () -> {
            String app = Caller.appKey();
            long id = messageId(request.getMessageId());
            return messages.status(id).thenApply(stored -> {
                checkOwner(app, id, stored.owner());
                return stored.status();
            });
        });
    }

    private void admit(PushQuotas.Call quota, ValidPush push) {
        quota.checkAudience(push.namesField(), push.names());
        if (push.fanOut()) {
            fanOuts.check(); // before the quota: a push refused here takes none of its tokens
        }
        quota.take(push.fanOut());
    }

    /** A kind that no node emits is refused: a stream waiting for it would wait forever. */
    @Override
    public void streamReceipts(StreamReceiptsRequest request, StreamObserver<Receipt> out) {
        try {
            for (int i = 0; i < request.getKindsCount(); i++) {
                ReceiptKind kind = request.getKinds(i);
                if (kind == ReceiptKind.RECEIPT_KIND_UNSPECIFIED || kind == ReceiptKind.UNRECOGNIZED) {
                    throw Refusal.invalid("kinds[" + i + "]", request.getKindsValue(i), EMITTED_KINDS);
                }
            }
            receipts.subscribe(Caller.appKey(), request.getKindsList(), (ServerCallStreamObserver<Receipt>) out);
        } catch (RuntimeException e) {
            out.onError(errors.exception(e));
        }
    }

    private static String emittedKinds() {
        List<String> names = Arrays.stream(ReceiptKind.values())
                .filter(k -> k != ReceiptKind.RECEIPT_KIND_UNSPECIFIED && k != ReceiptKind.UNRECOGNIZED)
                .map(ReceiptKind::name).toList();
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    private static long messageId(long id) {
        if (id == 0) {
            throw Refusal.invalid("message_id", "0", "a message id answered by Push");
        }
        return id;
    }

    private static void checkOwner(String app, long id, String owner) {
        if (owner == null) {
            throw Refusal.notFound("message_id: " + Long.toUnsignedString(id)
                    + " (expected: a message of this app whose status is still retained)");
        }
        if (!app.equals(owner)) {
            throw Refusal.permissionDenied("message_id: " + Long.toUnsignedString(id) + " belongs to another app");
        }
    }
}
