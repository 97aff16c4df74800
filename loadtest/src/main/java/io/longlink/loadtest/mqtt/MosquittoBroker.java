package io.longlink.loadtest.mqtt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's mosquitto, started for one run on a free loopback port with a generated config (no
 * persistence, anonymous clients, queues and in-flight windows large enough that the benchmark's
 * bursts are never dropped), and stopped after. A missing binary fails the run.
 */
final class MosquittoBroker implements AutoCloseable {
    private final Process process;
    private final InetSocketAddress address;

    private MosquittoBroker(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
    }

    static MosquittoBroker start(Path dir, int maxQueued, Duration ready) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.createDirectories(dir);
        Path conf = dir.resolve("mosquitto-bench.conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                "max_inflight_messages 256",
                "max_queued_messages " + maxQueued,
                "max_connections -1",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                ""));
        Process p = new ProcessBuilder("mosquitto", "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto-bench.log").toFile())
                .start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        long end = System.nanoTime() + ready.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(address, 200);
                return new MosquittoBroker(p, address);
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() - end > 0) {
                    p.destroyForcibly();
                    throw new IOException("mosquitto did not listen on " + address + " within " + ready.toSeconds()
                            + " s (exit " + (p.isAlive() ? "none" : p.exitValue()) + "; log: "
                            + dir.resolve("mosquitto-bench.log") + ")");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    InetSocketAddress address() {
        return address;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
