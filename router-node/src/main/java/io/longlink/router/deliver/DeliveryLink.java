package io.longlink.router.deliver;

import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What a router's batch sends one conn-node; {@link ConnNodeLink} over gRPC says how. */
public interface DeliveryLink {
    String nodeId();

    /** One DeliveryBatch; its result has one outcome per delivery, in order. */
    CompletableFuture<DeliveryResult> deliver(List<Delivery> deliveries, int ackWaitMs);

    /**
     * A copy to this device failed to be delivered and is in its inbox now: the link has the node
     * write that inbox again (with its next delivery to the device, or on its own).
     */
    void markDirty(String appKey, String deviceId, String connectionId);

    /** One FanOut call with its deadline. */
    CompletableFuture<FanOutResponse> fanOut(FanOutRequest request, long deadlineMs);
}
