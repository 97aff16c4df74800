package io.longlink.loadtest.sharded;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scenario's handle on one {@link DeviceShard} process: its commands in, its {@code SHARD} lines out. */
final class ShardProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("bench");

    /** The shard's connect phase: devices connected and failed, per conn-node address, and how long it took. */
    record Connected(long connected, long failed, long connectMs, Map<String, Long> byNode, Map<String, Long> failures) {
    }

    private final int number;
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ShardProcess(int number, Process process) {
        this.number = number;
        this.process = process;
        this.commands = process.outputWriter(StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("shard-" + number + "-out").start(this::readLines);
    }

    /** Starts shard {@code number} with {@code jvmOptions} and the {@link DeviceShard} arguments; its log is {@code logFile}. */
    static ShardProcess start(int number, List<String> jvmOptions, List<String> args, Path logFile) throws IOException {
        requireNonNull(args, "args");
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Dio.lettuce.core.iouring=false");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DeviceShard.class.getName());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(logFile.toFile()).start();
        // ops/bench's time cap ends this JVM with SIGTERM: the shards must not outlive it
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-shard-" + number));
        return new ShardProcess(number, p);
    }

    long pid() {
        return process.pid();
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(DeviceShard.PREFIX)) {
                    lines.add(line.substring(DeviceShard.PREFIX.length()));
                }
            }
        } catch (IOException e) {
            log.debug("shard {} output closed: {}", number, e.toString());
        }
    }

    /** Waits for the end of the shard's connect phase. */
    Connected awaitConnected(Duration within) throws Exception {
        String line = next(within, "connected=");
        long connected = 0;
        long failed = 0;
        long ms = 0;
        Map<String, Long> byNode = new LinkedHashMap<>();
        Map<String, Long> failures = new LinkedHashMap<>();
        for (String field : line.split(" ")) {
            int eq = field.indexOf('=');
            String key = field.substring(0, eq);
            String value = field.substring(eq + 1);
            switch (key) {
                case "connected" -> connected = Long.parseLong(value);
                case "failed" -> failed = Long.parseLong(value);
                case "connect_ms" -> ms = Long.parseLong(value);
                case "node", "failure" -> {
                    int last = value.lastIndexOf('=');
                    (key.equals("node") ? byNode : failures).put(value.substring(0, last),
                            Long.parseLong(value.substring(last + 1)));
                }
                default -> throw new IOException("shard " + number + ": unexpected field '" + field + "'");
            }
        }
        return new Connected(connected, failed, ms, byNode, failures);
    }

    /** Asks the shard to write what its devices received to {@code file}; returns once it has. */
    void report(Path file, Duration within) throws Exception {
        send("report " + file.toAbsolutePath());
        next(within, "reported");
    }

    private void send(String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
    }

    private String next(Duration within, String expected) throws Exception {
        long end = System.nanoTime() + within.toNanos();
        while (true) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null) {
                if (line.startsWith(expected)) {
                    return line;
                }
                throw new IOException("shard " + number + ": '" + line + "' (expected: " + expected + "...)");
            }
            if (!process.isAlive()) {
                throw new IOException("shard " + number + " exited " + process.exitValue() + " before '" + expected
                        + "'; see its log");
            }
            if (System.nanoTime() - end >= 0) {
                throw new TimeoutException("shard " + number + ": no '" + expected + "' within " + within.toSeconds() + " s");
            }
        }
    }

    /** Disconnects its devices and waits for it to exit; stops it forcibly after {@code within}. */
    void quit(Duration within) throws InterruptedException {
        try {
            send("quit");
        } catch (IOException e) {
            log.debug("shard {} gone already: {}", number, e.toString());
        }
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("shard {} still running {} s after quit: stopped", number, within.toSeconds());
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            quit(Duration.ofSeconds(60));
        }
    }
}
