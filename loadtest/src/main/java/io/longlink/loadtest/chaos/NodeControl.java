package io.longlink.loadtest.chaos;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, stops, kills, pauses and resumes the stack's processes by name through {@code ops/node},
 * with the stack's LONGLINK_HOME and LL_PORT_BASE. Its output goes to {@code node-control.log}.
 */
public final class NodeControl {
    private static final Logger log = LoggerFactory.getLogger("bench");
    private static final long TIMEOUT_S = 240;

    private final Path script;
    private final Map<String, String> env;
    private final Path logFile;

    /** @param env added to this JVM's environment (LONGLINK_HOME, LL_PORT_BASE, JVM options of new nodes) */
    public NodeControl(Path script, Map<String, String> env, Path logFile) {
        this.script = requireNonNull(script, "script");
        this.env = Map.copyOf(env);
        this.logFile = requireNonNull(logFile, "logFile");
        if (!Files.isExecutable(script)) {
            throw new IllegalArgumentException("script: " + script + " (expected: ops/node, executable)");
        }
    }

    /** {@code ops/node ACTION NAME ARGS...}; throws with the tail of its output when it fails. */
    public void run(String action, String name, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString(), action, name));
        cmd.addAll(List.of(args));
        Files.createDirectories(logFile.getParent());
        Files.writeString(logFile, System.currentTimeMillis() + " $ " + String.join(" ", cmd.subList(1, cmd.size()))
                + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(env);
        long started = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ops/node " + action + " " + name + " still running after " + TIMEOUT_S + " s; log: "
                    + logFile);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (p.exitValue() != 0) {
            throw new IOException("ops/node " + action + " " + name + " exited " + p.exitValue() + " after " + ms
                    + " ms: " + tail() + " (log: " + logFile + ")");
        }
        log.info("ops/node {} {} done in {} ms", action, name, ms);
    }

    /**
     * Starts {@code name} until it comes up, as a supervisor would: a node may refuse to start for a
     * while after a crash (its old ZooKeeper session still holds its node id). Returns the failed tries.
     */
    int startUntilUp(String name, long withinMs) throws IOException, InterruptedException {
        long end = System.currentTimeMillis() + withinMs;
        int failed = 0;
        while (true) {
            try {
                run("start", name);
                return failed;
            } catch (IOException e) {
                failed++;
                if (System.currentTimeMillis() >= end) {
                    throw e;
                }
                log.warn("start of {} failed (try {}), trying again: {}", name, failed, e.getMessage());
                TimeUnit.SECONDS.sleep(2);
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
