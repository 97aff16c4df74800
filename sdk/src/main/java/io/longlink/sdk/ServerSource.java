package io.longlink.sdk;

import static java.util.Objects.requireNonNull;

import io.longlink.sdk.reconnect.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The app's server supplier (typically the bootstrap endpoint's GetConnNodes), asked at the start of
 * each reconnect round. It runs on its own daemon thread and the I/O thread waits for it a bounded
 * time, so a hung call cannot stall reconnecting; a call still running from an earlier round is not
 * started again. Every failure is reported and answered with no addresses: the client then uses its
 * configured servers.
 */
final class ServerSource {
    private static final Logger LOG = Logger.getLogger(LonglinkClient.class.getName());

    private final Supplier<List<String>> supplier;
    private final Consumer<Throwable> onError;
    private final ThreadPoolExecutor executor;
    // set by the I/O thread, cancelled by close() so a waiting I/O thread returns at once
    private volatile CompletableFuture<List<String>> call;
    private volatile boolean closed;

    ServerSource(Supplier<List<String>> supplier, String threadName, Consumer<Throwable> onError) {
        this.supplier = requireNonNull(supplier, "supplier");
        this.onError = requireNonNull(onError, "onError");
        // One call at a time (fetch starts one only when none runs); the idle thread ends after a while.
        this.executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), runnable -> {
            Thread t = new Thread(runnable, threadName);
            t.setDaemon(true);
            return t;
        });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** The supplier's addresses, waiting at most {@code timeoutMillis}; empty when it failed or named none. */
    List<HostPort> fetch(long timeoutMillis) {
        CompletableFuture<List<String>> running = call;
        if (running != null && !running.isDone()) {
            report(new IllegalStateException("server supplier still busy since an earlier round; configured servers used"));
            return List.of();
        }
        CompletableFuture<List<String>> next;
        try {
            next = CompletableFuture.supplyAsync(supplier, executor);
        } catch (RejectedExecutionException e) {
            return List.of(); // closed
        }
        call = next;
        if (closed) {
            // close() ran between the start of the call and its publication above: it missed this one
            next.cancel(false);
            return List.of();
        }
        List<String> answer;
        try {
            answer = next.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            report(new IllegalStateException("server supplier gave no answer within " + timeoutMillis
                    + " ms; configured servers used"));
            return List.of();
        } catch (ExecutionException e) {
            report(new IllegalStateException("server supplier failed: " + Connection.describe(e.getCause())
                    + "; configured servers used", e.getCause()));
            return List.of();
        } catch (CancellationException e) {
            return List.of(); // closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        return parse(answer);
    }

    private List<HostPort> parse(List<String> answer) {
        if (answer == null || answer.isEmpty()) {
            report(new IllegalStateException("server supplier named no server; configured servers used"));
            return List.of();
        }
        List<HostPort> servers = new ArrayList<>();
        for (String address : answer) {
            try {
                servers.add(HostPort.parse(address == null ? "" : address));
            } catch (IllegalArgumentException e) {
                report(new IllegalArgumentException("server supplier address ignored: " + e.getMessage(), e));
            }
        }
        return servers;
    }

    private void report(RuntimeException e) {
        LOG.warning(e.getMessage());
        onError.accept(e);
    }

    /** Ends a wait in {@link #fetch} and interrupts a running call. */
    void close() {
        closed = true;
        CompletableFuture<List<String>> running = call;
        if (running != null) {
            running.cancel(false);
        }
        executor.shutdownNow();
    }
}
