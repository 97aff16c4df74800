package io.longlink.loadtest.it;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.loadtest.chaos.NodeControl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A stack of real processes for a test class, started by name with ops/node from the packaged jars
 * under {@code loadtest/target/NAME/home} on a free port base (small JVMs, C1 only), and stopped and
 * purged with ops/down when closed.
 */
public final class ProcessStack implements AutoCloseable {
    public static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize().getParent();

    private final Path work;
    private final int portBase;
    private final Map<String, String> env;
    private final NodeControl nodes;

    private ProcessStack(Path work, int portBase) {
        this.work = work;
        this.portBase = portBase;
        this.env = Map.of("LONGLINK_HOME", work.resolve("home").toString(),
                "LL_PORT_BASE", Integer.toString(portBase),
                "LL_NODE_JAVA_OPTS", "-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "LL_CONN_JAVA_OPTS", "-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "LL_KAFKA_JAVA_OPTS", "-Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                "LL_READY_TIMEOUT_S", "120");
        this.nodes = new NodeControl(ROOT.resolve("ops/node"), env, work.resolve("node-control.log"));
    }

    /** A fresh, empty stack under {@code loadtest/target/name}; the node jars must be packaged. */
    public static ProcessStack create(String name) throws IOException, InterruptedException {
        requireNonNull(name, "name");
        for (String module : List.of("conn-node", "router-node", "api-node")) {
            Path jar = ROOT.resolve(module + "/target/longlink-" + module + ".jar");
            assertThat(jar).as("%s: build it first (mvn package, or verify from the root)", jar).exists();
        }
        Path work = ROOT.resolve("loadtest/target/" + name);
        deleteTree(work);
        Files.createDirectories(work);
        ProcessStack stack = new ProcessStack(work, freePortBase());
        stack.ops("install-deps");
        return stack;
    }

    public Path work() {
        return work;
    }

    public int portBase() {
        return portBase;
    }

    public NodeControl nodes() {
        return nodes;
    }

    /** The stack's api-nodes' admin token (api-1 writes it when it first starts). */
    public String adminToken() throws IOException {
        return Files.readString(work.resolve("home/conf/admin-token")).strip();
    }

    /** The pid ops/node recorded for a process of the stack. */
    public long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(work.resolve("home/run/" + name + ".pid")).strip());
    }

    /** Starts the named processes at once, each with {@code ops/node start}; fails if any did not come up. */
    public void startAll(List<String> names) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (String name : names) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    nodes.run("start", name);
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).as("node starts").isEmpty();
    }

    /** Stops every process of the stack and deletes its data. */
    @Override
    public void close() throws IOException, InterruptedException {
        ops("down", "--purge");
    }

    /** Runs {@code ops/SCRIPT ARGS} against this stack. */
    private void ops(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("ops/" + script).toString()));
        cmd.addAll(List.of(args));
        Path log = work.resolve("ops-" + script + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("ops/%s finished; log: %s", script, log).isTrue();
        assertThat(p.exitValue()).as("ops/%s exit code; log: %s", script, log).isZero();
    }

    /**
     * A port base below the ephemeral range whose ports (ops/lib.sh layout: +1..+4, +10..+13, +21, +22,
     * +101..+103, +201..+203, +301..+303) nothing listens on now.
     */
    private static int freePortBase() {
        int[] offsets = IntStream.concat(IntStream.of(1, 2, 3, 4, 10, 11, 12, 13, 21, 22),
                IntStream.rangeClosed(1, 3).flatMap(i -> IntStream.of(100 + i, 200 + i, 300 + i))).toArray();
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 21_000 + 400 * ThreadLocalRandom.current().nextInt(25);
            if (IntStream.of(offsets).noneMatch(o -> listening(base + o))) {
                return base;
            }
        }
        throw new IllegalStateException("no free port base between 21000 and 31000");
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
