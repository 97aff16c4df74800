package io.longlink.api.error;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs a unary call's work and answers it: the value, or the failure through {@link StatusMapper}
 * whether the work threw at once or failed later on a store or broker thread.
 */
public final class Replies {
    private Replies() {
    }

    public static <T> void unary(StreamObserver<T> observer, Supplier<? extends CompletionStage<T>> work) {
        CompletionStage<T> stage;
        try {
            stage = work.get();
        } catch (RuntimeException e) {
            fail(observer, e);
            return;
        }
        stage.whenComplete((value, error) -> {
            if (error != null) {
                fail(observer, error);
                return;
            }
            try {
                observer.onNext(value);
                observer.onCompleted();
            } catch (RuntimeException alreadyClosed) {
                // the caller cancelled or its deadline passed; nothing is left to tell it
            }
        });
    }

    private static void fail(StreamObserver<?> observer, Throwable error) {
        try {
            observer.onError(StatusMapper.toException(error));
        } catch (RuntimeException alreadyClosed) {
            // as above: the call is already over
        }
    }
}
