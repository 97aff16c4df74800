package io.longlink.router.batch;

import io.longlink.proto.internal.Delivery;
import io.longlink.proto.internal.DeliveryResult;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.Outcome;
import io.longlink.router.deliver.DeliveryLink;
import io.longlink.router.deliver.DeliveryLinks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Conn-node links in memory: each answers at once, as told, and keeps what it was sent. */
final class FakeLinks implements DeliveryLinks {
    private final Map<String, Link> links = new LinkedHashMap<>();

    Link add(String nodeId) {
        Link link = new Link(nodeId);
        links.put(nodeId, link);
        return link;
    }

    /** The node left membership. */
    void remove(String nodeId) {
        links.remove(nodeId);
    }

    @Override
    public Link link(String nodeId) {
        return links.get(nodeId);
    }

    @Override
    public List<Link> all() {
        return List.copyOf(links.values());
    }

    @Override
    public int size() {
        return links.size();
    }

    /** One DeliveryBatch as sent. */
    record Batch(List<Delivery> deliveries, int ackWaitMs) {
    }

    static final class Link implements DeliveryLink {
        final String nodeId;
        final List<Batch> batches = new ArrayList<>();
        final List<FanOutRequest> fanOuts = new ArrayList<>();
        /** Devices marked dirty, as {@code app/device/connection}. */
        final List<String> dirty = new ArrayList<>();
        final List<Long> fanOutDeadlines = new ArrayList<>();
        /** The answer for each delivery of a batch. */
        Function<Delivery, Outcome> outcome = d -> Outcome.WRITTEN;
        /** Batches fail at once, as when the Deliver stream is down. */
        boolean down;
        Function<FanOutRequest, CompletableFuture<FanOutResponse>> fanOutAnswer = r -> CompletableFuture.completedFuture(
                FanOutResponse.newBuilder().setMatched(3).setWritten(2).build());

        Link(String nodeId) {
            this.nodeId = nodeId;
        }

        List<Delivery> deliveries() {
            List<Delivery> all = new ArrayList<>();
            batches.forEach(b -> all.addAll(b.deliveries()));
            return all;
        }

        @Override
        public String nodeId() {
            return nodeId;
        }

        @Override
        public CompletableFuture<DeliveryResult> deliver(List<Delivery> deliveries, int ackWaitMs) {
            batches.add(new Batch(List.copyOf(deliveries), ackWaitMs));
            if (down) {
                return CompletableFuture.failedFuture(new IllegalStateException("Deliver stream to " + nodeId + " down"));
            }
            DeliveryResult.Builder r = DeliveryResult.newBuilder();
            deliveries.forEach(d -> r.addOutcomes(outcome.apply(d)));
            return CompletableFuture.completedFuture(r.build());
        }

        @Override
        public void markDirty(String appKey, String deviceId, String connectionId) {
            dirty.add(appKey + "/" + deviceId + "/" + connectionId);
        }

        @Override
        public CompletableFuture<FanOutResponse> fanOut(FanOutRequest request, long deadlineMs) {
            fanOuts.add(request);
            fanOutDeadlines.add(deadlineMs);
            return fanOutAnswer.apply(request);
        }
    }
}
