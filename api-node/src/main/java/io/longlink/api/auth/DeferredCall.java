package io.longlink.api.auth;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCall;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The listener of a call whose start waits for an asynchronous check (an app-secret cache miss).
 * What gRPC delivers meanwhile is kept and handed, in order, to the real listener once the call is
 * started; a refused or cancelled call drops it. gRPC delivers one callback at a time, but the start
 * comes from another thread: the lock guards the queue and the hand-over, and no callback runs under it.
 */
final class DeferredCall<Q> extends ServerCall.Listener<Q> {
    private final Consumer<Throwable> refusal;
    /** Guards queued, started and cancelled. */
    private final Object lock = new Object();
    /** Callbacks that arrived before the start; null once started (they then pass through) or dropped. */
    private List<Consumer<ServerCall.Listener<Q>>> queued = new ArrayList<>(4);
    /** The started call's listener; null until every queued callback has been handed to it. */
    private ServerCall.Listener<Q> started;
    private boolean cancelled;

    /**
     * @param refusal closes the call with the status of a failure (the check's, or the started call's)
     */
    DeferredCall(Consumer<Throwable> refusal) {
        this.refusal = requireNonNull(refusal, "refusal");
    }

    /**
     * Starts the call with the listener {@code start} returns (unless it was cancelled meanwhile),
     * then hands that listener what arrived before. A failure of either closes the call with its status.
     */
    void start(Supplier<ServerCall.Listener<Q>> start) {
        synchronized (lock) {
            if (cancelled || queued == null) {
                queued = null;
                return;
            }
        }
        ServerCall.Listener<Q> listener;
        try {
            listener = start.get();
        } catch (RuntimeException e) {
            refuse(e);
            return;
        }
        List<Consumer<ServerCall.Listener<Q>>> batch = new ArrayList<>(4);
        while (true) {
            synchronized (lock) {
                if (queued == null) {
                    return;
                }
                if (queued.isEmpty()) {
                    queued = null;
                    started = listener;
                    return;
                }
                List<Consumer<ServerCall.Listener<Q>>> arrived = queued;
                queued = batch;
                batch = arrived;
            }
            for (Consumer<ServerCall.Listener<Q>> callback : batch) {
                try {
                    callback.accept(listener);
                } catch (RuntimeException e) {
                    refuse(e);
                    return;
                }
            }
            batch.clear();
        }
    }

    /** Closes the call with the status of {@code failure}; what arrived, or arrives, is dropped. */
    void refuse(Throwable failure) {
        synchronized (lock) {
            queued = null;
        }
        refusal.accept(failure);
    }

    @Override
    public void onMessage(Q message) {
        deliver(l -> l.onMessage(message));
    }

    @Override
    public void onHalfClose() {
        deliver(ServerCall.Listener::onHalfClose);
    }

    @Override
    public void onCancel() {
        synchronized (lock) {
            cancelled = true;
        }
        deliver(ServerCall.Listener::onCancel);
    }

    @Override
    public void onComplete() {
        deliver(ServerCall.Listener::onComplete);
    }

    @Override
    public void onReady() {
        deliver(ServerCall.Listener::onReady);
    }

    private void deliver(Consumer<ServerCall.Listener<Q>> callback) {
        ServerCall.Listener<Q> target;
        synchronized (lock) {
            target = started;
            if (target == null) {
                if (queued != null) {
                    queued.add(callback);
                }
                return;
            }
        }
        callback.accept(target);
    }
}
