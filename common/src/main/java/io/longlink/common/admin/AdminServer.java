package io.longlink.common.admin;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP port every node has: {@code /metrics} (Prometheus text format), {@code /healthz}
 * (the process serves), {@code /readyz} (the node takes traffic) and role-specific endpoints
 * added with {@link #route}. One thread: admin traffic is light and must never compete with the
 * data path.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    public AdminServer(String host, int port, CollectorRegistry registry, BooleanSupplier ready) throws IOException {
        requireNonNull(registry, "registry");
        requireNonNull(ready, "ready");
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (java.net.BindException e) {
            throw new IOException("admin port " + host + ":" + port + " is already in use", e);
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/healthz", ex -> respond(ex, 200, "ok\n"));
        server.createContext("/readyz", ex -> {
            boolean ok = ready.getAsBoolean();
            respond(ex, ok ? 200 : 503, ok ? "ready\n" : "not ready\n");
        });
        server.createContext("/metrics", ex -> {
            StringWriter w = new StringWriter(16 * 1024);
            TextFormat.write004(w, registry.metricFamilySamples());
            ex.getResponseHeaders().set("Content-Type", TextFormat.CONTENT_TYPE_004);
            respond(ex, 200, w.toString());
        });
    }

    /** Adds an endpoint; the handler's text answer is sent with the given status. */
    public void route(String path, String method, AdminHandler handler) {
        server.createContext(path, ex -> {
            if (!ex.getRequestMethod().equalsIgnoreCase(method)) {
                respond(ex, 405, "use " + method + "\n");
                return;
            }
            try {
                AdminHandler.Reply reply = handler.handle(ex.getRequestURI().getRawQuery());
                respond(ex, reply.status(), reply.body());
            } catch (RuntimeException e) {
                log.warn("admin endpoint failed path={}", path, e);
                respond(ex, 500, "error: " + e.getMessage() + "\n");
            }
        });
    }

    public void start() {
        server.start();
        log.info("admin endpoint listening address={}", server.getAddress());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!ex.getResponseHeaders().containsKey("Content-Type")) {
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    /** A role-specific admin action, e.g. conn-node's drain. */
    @FunctionalInterface
    public interface AdminHandler {
        Reply handle(String rawQuery);

        record Reply(int status, String body) {
        }
    }

}
