package io.longlink.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process on a random loopback port, without persistence. The binary
 * comes from {@code LONGLINK_REDIS_SERVER}, the PATH or /usr/bin (ops/install-deps installs it).
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private final List<String> command;
    private final Path dir;
    /** The running process; replaced by {@link #restart}. */
    private volatile Process process;

    private RedisServer(int port, List<String> command, Process process, Path dir) {
        this.port = port;
        this.command = command;
        this.process = process;
        this.dir = dir;
    }

    public static RedisServer start(String... extraArgs) {
        String binary = findBinary();
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = FreePorts.next();
            try {
                Path dir = Files.createTempDirectory("longlink-redis-");
                List<String> cmd = new ArrayList<>(List.of(binary, "--port", String.valueOf(port),
                        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                        "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
                cmd.addAll(List.of(extraArgs));
                RedisServer server = new RedisServer(port, List.copyOf(cmd), launch(cmd, dir), dir);
                if (server.awaitPing(10_000)) {
                    return server;
                }
                server.close();
                last = new IllegalStateException("redis-server did not answer PING on port " + port
                        + "; see " + dir.resolve("redis.log"));
            } catch (IOException e) {
                last = new IllegalStateException("cannot start " + binary, e);
            }
        }
        throw last;
    }

    private static Process launch(List<String> cmd, Path dir) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
    }

    /** Stops the process (SIGTERM, as an operator would), keeping its port and folder for {@link #restart}. */
    public void stop() {
        stop(process);
    }

    /** Freezes the process (SIGSTOP): connections stay open and nothing is answered, as a hung server. */
    public void pause() {
        signal("STOP");
    }

    /** Kills the process at once (SIGKILL, also a paused one): its connections are reset. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void signal(String name) {
        try {
            Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (k.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal redis-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted signalling redis-server", e);
        }
    }

    /** Starts the process again on the same port and folder, after {@link #stop}; returns once it answers PING. */
    public void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is running");
        }
        try {
            process = launch(command, dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart redis-server on port " + port, e);
        }
        if (!awaitPing(10_000)) {
            throw new IllegalStateException("redis-server did not answer PING on port " + port + " after a restart;"
                    + " see " + dir.resolve("redis.log"));
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /**
     * Sends one inline command and returns the reply: the status, error or integer line as sent
     * ({@code +OK}, {@code -ERR ...}, {@code :1}), or the content of a bulk string.
     */
    public String command(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            s.setSoTimeout(2_000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            String line = sb.toString();
            if (line.startsWith("$") && !line.equals("$-1")) {
                byte[] body = in.readNBytes(Integer.parseInt(line.substring(1)));
                return new String(body, StandardCharsets.UTF_8);
            }
            return line;
        } catch (IOException e) {
            return "-ERR " + e.getMessage();
        }
    }

    public void flushAll() {
        String reply = command("FLUSHALL");
        if (!reply.equals("+OK")) {
            throw new IllegalStateException("FLUSHALL failed: " + reply);
        }
    }

    private boolean awaitPing(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (command("PING").equals("+PONG")) {
                return true;
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static String findBinary() {
        String env = System.getenv("LONGLINK_REDIS_SERVER");
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "redis-server"))) {
                return Path.of(dir, "redis-server").toString();
            }
        }
        if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            return "/usr/bin/redis-server";
        }
        throw new IllegalStateException("redis-server not found: run ops/install-deps (installs Debian's redis-server)");
    }

    @Override
    public void close() {
        stop(process);
        deleteQuietly(dir);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
