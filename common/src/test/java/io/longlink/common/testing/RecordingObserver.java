package io.longlink.common.testing;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a gRPC call hands its observer, for assertions from the test thread. */
public final class RecordingObserver<T> implements StreamObserver<T> {
    private final List<T> values = new CopyOnWriteArrayList<>();
    private final List<Status> ends = new CopyOnWriteArrayList<>();

    @Override
    public void onNext(T value) {
        values.add(value);
    }

    @Override
    public void onError(Throwable t) {
        ends.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        ends.add(Status.OK);
    }

    public List<T> values() {
        return values;
    }

    /** One status per end of the call: OK for onCompleted, the error's for onError; a call ends once. */
    public List<Status> ends() {
        return ends;
    }
}
