package io.longlink.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ServerCall;
import io.longlink.common.grpc.Refusal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeferredCallTest {
    private final List<Throwable> refused = new ArrayList<>();
    private final DeferredCall<Integer> deferred = new DeferredCall<>(refused::add);
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    private ServerCall.Listener<Integer> recording() {
        return new ServerCall.Listener<>() {
            @Override
            public void onMessage(Integer message) {
                seen.add("message " + message);
            }

            @Override
            public void onHalfClose() {
                seen.add("halfClose");
            }

            @Override
            public void onCancel() {
                seen.add("cancel");
            }

            @Override
            public void onReady() {
                seen.add("ready");
            }
        };
    }

    @Test
    void start_whenCallbacksArrivedBefore_thenHandedOverInOrderAndLaterOnesPassThrough() {
        deferred.onReady();
        deferred.onMessage(1);
        deferred.onHalfClose();
        assertThat(seen).isEmpty();

        deferred.start(this::recording);
        deferred.onMessage(2);

        assertThat(seen).containsExactly("ready", "message 1", "halfClose", "message 2");
        assertThat(refused).isEmpty();
    }

    @Test
    void start_whenCancelledBefore_thenNeverStarted() {
        AtomicInteger starts = new AtomicInteger();
        deferred.onCancel();

        deferred.start(() -> {
            starts.incrementAndGet();
            return recording();
        });

        assertThat(starts).hasValue(0);
        assertThat(seen).isEmpty();
    }

    @Test
    void start_whenTheCheckRefuses_thenClosedWithItsStatusAndNothingDelivered() {
        deferred.onMessage(1);

        Refusal wrongSecret = Refusal.unauthenticated("metadata x-longlink-app-secret: does not match app 'a'");

        deferred.start(() -> {
            throw wrongSecret;
        });
        deferred.onHalfClose();

        assertThat(refused).containsExactly(wrongSecret);
        assertThat(seen).isEmpty();
    }

    @Test
    void refuse_whenStoreFailed_thenClosedWithItsStatusAndLaterCallbacksDropped() {
        IllegalStateException down = new IllegalStateException("redis down");

        deferred.refuse(down);
        deferred.onMessage(1);
        deferred.start(this::recording);

        assertThat(refused).containsExactly(down);
        assertThat(seen).isEmpty();
    }

    @Test
    void start_whenAHandedOverCallbackThrows_thenClosedWithItsStatus() {
        Refusal invalid = Refusal.invalid("payload", "5000 bytes", "at most 4096");
        deferred.onHalfClose();

        deferred.start(() -> new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
                throw invalid;
            }
        });

        assertThat(refused).containsExactly(invalid);
    }

    @Test
    void start_whenCallbacksArriveMeanwhileFromAnotherThread_thenEachDeliveredOnceInOrder() throws Exception {
        int messages = 10_000;
        CountDownLatch go = new CountDownLatch(1);
        Thread grpc = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < messages; i++) {
                deferred.onMessage(i);
            }
        });
        grpc.start();

        go.countDown();
        deferred.start(this::recording);
        grpc.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(grpc.isAlive()).isFalse();
        assertThat(seen).hasSize(messages);
        for (int i = 0; i < messages; i++) {
            assertThat(seen.get(i)).isEqualTo("message " + i);
        }
    }
}
