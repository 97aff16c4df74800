package io.longlink.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A three-master Redis Cluster of real redis-server processes on random loopback ports, formed
 * with {@code redis-cli --cluster create}. Each node's cluster bus port is set explicitly.
 */
public final class RedisClusterServer implements AutoCloseable {
    private final List<RedisServer> nodes;

    private RedisClusterServer(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisClusterServer start() {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-port",
                        String.valueOf(FreePorts.next()), "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "5000"));
            }
            List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (RedisServer n : nodes) {
                cmd.add("127.0.0.1:" + n.port());
            }
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Path log = Files.createTempFile("longlink-redis-cluster-", ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(log));
            }
            RedisClusterServer cluster = new RedisClusterServer(nodes);
            cluster.awaitClusterOk(30_000);
            return cluster;
        } catch (IOException e) {
            nodes.forEach(RedisServer::close);
            throw new IllegalStateException("cannot form a Redis Cluster (is redis-cli installed?)", e);
        } catch (InterruptedException e) {
            nodes.forEach(RedisServer::close);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while forming a Redis Cluster", e);
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    /** Seed URIs for Lettuce's cluster client. */
    public List<String> uris() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    public void flushAll() {
        nodes.forEach(RedisServer::flushAll);
    }

    private void awaitClusterOk(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (RedisServer n : nodes) {
                ok &= clusterStateOk(n);
            }
            if (ok) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok in " + timeoutMs + " ms");
    }

    private static boolean clusterStateOk(RedisServer node) {
        return node.command("CLUSTER INFO").contains("cluster_state:ok");
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
