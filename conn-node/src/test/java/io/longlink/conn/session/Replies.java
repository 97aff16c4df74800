package io.longlink.conn.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** How a fake store answers: at once (the default), failed, or held until the test releases it. */
final class Replies {
    private RuntimeException failure;
    private boolean holding;
    /** While holding: the command runs when called (its value is read then), only its answer waits. */
    private boolean runNow;
    private int answeredBeforeHold = -1;
    private final List<Runnable> held = new ArrayList<>();

    /** Every answer from now on fails with {@code e}. */
    void fail(RuntimeException e) {
        failure = e;
    }

    /** Answers wait for {@link #release}. */
    void hold() {
        holding = true;
    }

    /**
     * Commands run when called, as Redis runs a command as soon as it gets it, but their answers wait
     * for {@link #release}, as a reply still on its way back does.
     */
    void holdAnswers() {
        holding = true;
        runNow = true;
    }

    /** The next {@code n} answers come at once, later ones wait for {@link #release}. */
    void holdAfter(int n) {
        answeredBeforeHold = n;
    }

    /** Answers what was held, in call order, and answers at once from now on. */
    void release() {
        holding = false;
        runNow = false;
        List<Runnable> now = new ArrayList<>(held);
        held.clear();
        now.forEach(Runnable::run);
    }

    int held() {
        return held.size();
    }

    <T> CompletionStage<T> answer(Supplier<T> value) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r;
        if (holding && runNow && failure == null) {
            T ran = value.get();
            r = () -> f.complete(ran);
        } else {
            r = () -> {
                if (failure != null) {
                    f.completeExceptionally(failure);
                } else {
                    f.complete(value.get());
                }
            };
        }
        if (answeredBeforeHold == 0) {
            holding = true;
            answeredBeforeHold = -1;
        } else if (answeredBeforeHold > 0) {
            answeredBeforeHold--;
        }
        if (holding) {
            held.add(r);
        } else {
            r.run();
        }
        return f;
    }
}
